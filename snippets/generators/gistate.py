import inspect


def one():
    yield 1


gen = one()
print("has gi_state:", hasattr(gen, "gi_state"))
print("getgeneratorstate:", inspect.getgeneratorstate(gen))
next(gen)
print("getgeneratorstate:", inspect.getgeneratorstate(gen))
if hasattr(gen, "gi_state"):
    print("gi_state:", gen.gi_state)
