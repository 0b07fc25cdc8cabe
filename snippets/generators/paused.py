import inspect


def countdown(n):
    print("  body starts with n =", n)
    while n > 0:
        print("  running, state:", inspect.getgeneratorstate(gen))
        yield n
        n -= 1
    print("  body ends")
    return "liftoff"


gen = countdown(2)
frame = gen.gi_frame
print("next() ->", next(gen))
print("state:", inspect.getgeneratorstate(gen),
      "| suspended:", gen.gi_suspended)
print("paused on line", frame.f_lineno, "holding", dict(frame.f_locals))
print("next() ->", next(gen))
print("paused on line", frame.f_lineno, "holding", dict(frame.f_locals))
print("same frame object all along:", gen.gi_frame is frame)
try:
    next(gen)
except StopIteration as stop:
    print("StopIteration carries the return value:", repr(stop.value))
print("state:", inspect.getgeneratorstate(gen), "| gi_frame:", gen.gi_frame)
