import dis


def add(a, b):
    return a + b


def caller():
    return add(2, 3)


async def fetch():
    return 1


for func in (caller, add, fetch):
    print(f"--- {func.__name__}")
    dis.dis(func)
