import sys

sys.setrecursionlimit(60)        # the default is 1000
deepest = 0


def down(n):
    global deepest
    deepest = n
    down(n + 1)                  # no base case: it only stops at the limit


try:
    down(1)
except RecursionError as error:
    print(f"RecursionError: {error}, in down() call number {deepest}")
print("The limit:", sys.getrecursionlimit())
