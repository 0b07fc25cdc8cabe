import traceback


def name(exc):
    return "None" if exc is None else type(exc).__name__


def parse(text):
    try:
        return int(text)
    except ValueError:
        raise LookupError("implicit")


def parse_from(text):
    try:
        return int(text)
    except ValueError as exc:
        raise LookupError("explicit") from exc


def parse_quiet(text):
    try:
        return int(text)
    except ValueError:
        raise LookupError("from None") from None


for func in (parse, parse_from, parse_quiet):
    try:
        func("x")
    except LookupError as err:
        print(f"{func.__name__}:")
        print("  __context__:", name(err.__context__))
        print("  __cause__:", name(err.__cause__))
        print("  __suppress_context__:", err.__suppress_context__)
        text = "".join(traceback.format_exception(err))
        joins = [line for line in text.splitlines()
                 if line.endswith(":") and not line.startswith("Trace")]
        print("  printed between the tracebacks:")
        print("   ", joins[0] if joins else "nothing: only one traceback")
