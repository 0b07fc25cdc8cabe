import sys

print(sys.setrecursionlimit.__doc__)
