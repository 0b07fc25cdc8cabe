import inspect

frames = []


def counter():
    x = 0
    x += 1
    frames.append(inspect.currentframe())
    return x


print(counter(), counter())
first, second = frames
print("Two calls, two frames:", first is not second)
print("Each with its own x:", first.f_locals["x"], second.f_locals["x"])
print("x in the module?", "x" in globals())
