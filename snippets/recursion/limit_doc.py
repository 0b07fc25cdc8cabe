import sys

print(sys.getrecursionlimit.__doc__)
