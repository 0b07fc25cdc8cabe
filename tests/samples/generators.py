def countdown(n):
    while n > 0:
        yield n
        n -= 1
    return "liftoff"


def relay():
    result = yield from countdown(2)
    print("inner returned", result)


for value in relay():
    print("got", value)
