import sys


def depth(n):
    return depth(n + 1)


try:
    depth(0)
except RecursionError as error:
    print("RecursionError:", error)
print("Limit:", sys.getrecursionlimit())


def make_counter():
    count = 0

    def bump():
        nonlocal count
        count += 1
        return count

    return bump


bump = make_counter()
bump()
print("Closure cell after two calls:", bump(), bump.__closure__[0].cell_contents)
