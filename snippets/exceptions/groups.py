def fetch_all():
    raise ExceptionGroup("fetch failed", [
        ValueError("row 3"), KeyError("id"), ValueError("row 9")])


def handle_all():
    try:
        fetch_all()
    except* ValueError as group:
        print("except* ValueError got", group.exceptions)
    except* KeyError as group:
        print("except* KeyError got  ", group.exceptions)
    print("handle_all goes on")


def handle_keys():
    try:
        fetch_all()
    except* KeyError as group:
        print("except* KeyError got  ", group.exceptions)
    print("never printed: the ValueErrors went on")


handle_all()
try:
    handle_keys()
except ExceptionGroup as rest:
    print("<module> caught", repr(rest))
