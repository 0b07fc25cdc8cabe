def parse(text):
    return int(text)


def safe_parse(text):
    try:
        return parse(text)
    except ValueError:
        return None


def strict_parse(text):
    try:
        return parse(text)
    except ValueError as error:
        raise RuntimeError("bad input") from error


print(safe_parse("x"))
strict_parse("y")
