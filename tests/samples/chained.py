def parse(text):
    return int(text)


def load(text):
    try:
        return parse(text)
    except ValueError as error:
        raise RuntimeError("could not load") from error


print("loading")
load("x")
