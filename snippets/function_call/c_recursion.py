import re
import sys

sys.setrecursionlimit(100)       # a limit on Python frames
for depth in (1_000, 10_000, 100_000):
    nested = []
    for _ in range(depth):
        nested = [nested]        # a list inside a list inside a list ...
    try:
        repr(nested)             # repr recurses in C: no Python frame at all
        print(f"{depth:>7} levels: ok")
    except RecursionError as error:
        reason = re.sub(r"\d+", "N", str(error))   # N: varies by run
        print(f"{depth:>7} levels: RecursionError: {reason}")
