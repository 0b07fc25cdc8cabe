import sys

sys.setrecursionlimit(150_000)   # raised far past the default of 1000


def down(n):                     # a Python function calling a Python function
    return 0 if n == 0 else 1 + down(n - 1)


print("Python recursion, 100,000 calls deep:", down(100_000))
