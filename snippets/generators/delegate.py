import sys


def inner():
    frame, names = sys._getframe(), []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    print("  stack while inner runs:", names)
    got = yield "from inner"  # marker: paused
    print("  inner got", repr(got))
    return "inner done"


def outer():
    result = yield from inner()
    print("  yield from evaluated to", repr(result))
    yield "from outer"


gen = outer()
print("next ->", next(gen))
print("outer.gi_yieldfrom:", gen.gi_yieldfrom)
print("inner paused on line", gen.gi_yieldfrom.gi_frame.f_lineno,
      "| outer paused on line", gen.gi_frame.f_lineno)
print("send ->", gen.send("hello"))
print("outer.gi_yieldfrom:", gen.gi_yieldfrom)
