import sys


def plain(n):
    return plain(n - 1) if n else sys.getallocatedblocks()


def asks(n):
    sys._getframe()              # ask for this call's frame object
    return asks(n - 1) if n else sys.getallocatedblocks()


def held(func, depth):
    """Memory blocks in use at the bottom of `depth` nested calls."""
    before = sys.getallocatedblocks()
    return func(depth) - before


for func in (plain, asks):
    held(func, 200)              # warm up once
    extra = held(func, 200) - held(func, 0)
    print(f"{func.__name__}: 200 more nested calls hold {extra} more blocks")
