import inspect
import sys


def inner():
    for info in inspect.stack():
        print(info.function, info.lineno, info.filename)
    print("argv", sys.argv)
    print("name", __name__, "path0 is my folder:", sys.path[0] == __file__.rsplit("/", 1)[0])


def outer():
    inner()


outer()
