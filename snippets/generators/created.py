import inspect


def countdown(n):
    print("  countdown's body starts")
    while n > 0:
        yield n
        n -= 1


gen = countdown(3)
print("calling countdown(3) returned", gen)
print("state:", inspect.getgeneratorstate(gen))
frame = gen.gi_frame
print("it owns a frame of", frame.f_code.co_name,
      "at line", frame.f_lineno, "with locals", dict(frame.f_locals))
print("has the body run? suspended:", gen.gi_suspended,
      "running:", gen.gi_running)
