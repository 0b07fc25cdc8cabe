# requires: 3.11
"""except* (3.11+): parts of a group handled, the rest re-raised; a function ending on it."""


def work():
    raise ExceptionGroup("batch", [ValueError("a"), KeyError("k")])


def handle():
    try:
        work()
    except* ValueError as group:
        print("values:", group.exceptions)
    except* KeyError as group:
        print("keys:", group.exceptions)


handle()
