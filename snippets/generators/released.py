import inspect


class Buffer:
    def __del__(self):
        print("  Buffer freed")


def fill():
    buf = Buffer()
    try:
        yield "first"
        yield "second"
    finally:
        print("  fill's finally runs")


gen = fill()
print(next(gen))
print(next(gen))
print(next(gen, "exhausted"))
print(inspect.getgeneratorstate(gen), "| gi_frame:", gen.gi_frame)
print("the generator object is still here:", gen)

gen = fill()
print(next(gen))
print("dropping the last reference to a suspended generator")
del gen
print("after del")
