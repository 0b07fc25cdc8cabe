"""Which handlers catch: a finally block, a clause that does not match, a catch that re-raises,
and the second of two clauses."""


def inner():
    raise ValueError("x")


def cleanup_only():
    try:
        inner()
    finally:
        print("finally ran")


def wrong_clause():
    try:
        inner()
    except KeyError:
        print("never")


def log_and_reraise():
    try:
        inner()
    except ValueError as error:
        print("logged", error)
        raise


def second_clause():
    try:
        inner()
    except KeyError:
        return "first"
    except ValueError:
        return "second"


for function in (cleanup_only, wrong_clause, log_and_reraise, second_clause):
    try:
        print(function.__name__, function())
    except ValueError:
        print(function.__name__, "let it through")
