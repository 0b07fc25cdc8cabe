import sys

print("default limit:", sys.getrecursionlimit())
sys.setrecursionlimit(40)            # small: the whole run can be drawn
deepest = 0


def down(n):
    global deepest
    deepest = n
    down(n + 1)                      # no base case: an error stops it


try:
    down(1)
except RecursionError as error:
    print("RecursionError:", error)
print("deepest call: down", deepest)
