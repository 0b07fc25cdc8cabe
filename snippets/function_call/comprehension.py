import sys


def where():
    """The name of the code that called where()."""
    return sys._getframe(1).f_code.co_name


def demo():
    print("list:", [where() for _ in "a"])
    print("set: ", {where() for _ in "a"})
    print("dict:", {key: where() for key in "a"})
    print("gen: ", list(where() for _ in "a"))


demo()
