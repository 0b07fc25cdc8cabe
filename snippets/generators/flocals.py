def counter():
    n = 1
    yield n
    yield n


gen = counter()
next(gen)
view = gen.gi_frame.f_locals
print("f_locals of a paused generator is a", type(view).__name__)
view["n"] = 99
print("after writing n = 99 through it, the next value is", next(gen))
