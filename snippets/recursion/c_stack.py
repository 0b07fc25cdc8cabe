import re
import sys
import threading


def down(n):                           # Python calling Python
    return 0 if n == 0 else 1 + down(n - 1)


def nested_list(levels):
    nested = []
    for _ in range(levels):
        nested = [nested]
    return nested


def attempt(label, work):
    try:
        work()
        print(f"{label}: ok")
    except RecursionError as error:
        reason = re.sub(r" \(used \d+ kB\)", "", str(error))
        print(f"{label}: RecursionError\n    {reason}")


def main():
    sys.setrecursionlimit(200_000)
    attempt("Python calls, 100,000 deep", lambda: down(100_000))
    sys.setrecursionlimit(100)
    for levels in (1_000, 20_000, 100_000):
        # repr() of a nested list recurses in C, with no Python frames
        nested = nested_list(levels)
        attempt(f"repr, {levels:>7,} levels", lambda: repr(nested))


threading.stack_size(4 * 1024 * 1024)  # the same C stack on any machine
worker = threading.Thread(target=main)
worker.start()
worker.join()
