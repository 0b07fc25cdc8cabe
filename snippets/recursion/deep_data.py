import sys

from explicit_stack import total_iterative, total_recursive

deep = [1]
for _ in range(5_000):                 # a list 5,001 levels deep
    deep = [1, deep]

print("limit:", sys.getrecursionlimit())
print("iterative:", total_iterative(deep))
try:
    print("recursive:", total_recursive(deep))
except RecursionError as error:
    print("recursive: RecursionError:", error)
