# requires: 3.11
"""One program for the claims about closures, recursion, suspension, turns and unwinding."""
import asyncio


def make_counter():
    count = 0

    def increment():
        nonlocal count
        count += 1
        return count

    def peek():
        return count

    return increment, peek


increment, peek = make_counter()
increment()  # marker: peeked
print("peek:", peek())


def down(n):
    if n == 3:
        return n
    return down(n + 1)


print("down:", down(0))


def numbers():
    total = 0
    while total < 3:
        total += 1
        yield total


print("numbers:", list(numbers()))
paused = numbers()
print("first:", next(paused))


async def worker(name):
    for _ in range(2):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(worker("a"), worker("b"))


asyncio.run(main())


def risky():
    try:
        raise ValueError("boom")
    finally:
        print("cleanup")


def handler():
    try:
        risky()
    except ValueError:
        print("handled")


handler()
