import sys


def inner():
    raise KeyError("k")


def middle():
    try:
        inner()
    finally:
        print("    middle's finally block runs")


def outer():
    try:
        middle()
    except KeyError:
        return "handled"


def tracer(frame, event, arg):
    if event in ("exception", "return"):
        what = arg[0].__name__ if event == "exception" else repr(arg)
        name = frame.f_code.co_name
        print(f"  {event:<9} in {name:<6} line {frame.f_lineno}: {what}")
    return tracer


print("sys.settrace:")
sys.settrace(tracer)
outer()
sys.settrace(None)


def hook(name):
    def callback(code, offset, arg):
        if code.co_name in ("inner", "middle", "outer"):
            print(f"  {name:<17} in {code.co_name:<6} {arg!r}")
    return callback


def monitored(func):
    mon = sys.monitoring
    mon.use_tool_id(mon.DEBUGGER_ID, "demo")
    wanted = 0
    for name in ("RAISE", "PY_UNWIND", "EXCEPTION_HANDLED", "RERAISE",
                 "PY_RETURN"):
        event = getattr(mon.events, name)
        mon.register_callback(mon.DEBUGGER_ID, event, hook(name))
        wanted |= event
    mon.set_events(mon.DEBUGGER_ID, wanted)
    func()
    mon.set_events(mon.DEBUGGER_ID, 0)


if hasattr(sys, "monitoring"):
    print("sys.monitoring:")
    monitored(outer)
else:
    print("sys.monitoring: not before 3.12")
