import functools
import sys


def callers():
    """The functions on the stack under this call, innermost first."""
    frame, names = sys._getframe(1), []
    while frame.f_back is not None:        # stop at the module's frame
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names


def register(func):          # hands the same function back
    return func


def logged(func):            # hands back a new Python function
    def wrapper(*args):
        return func(*args)
    return wrapper


@register
def plain():
    return callers()


@functools.lru_cache         # hands back a C object
def cached():
    return callers()


@logged
def single():
    return callers()


@logged
@logged
def double():
    return callers()


print("plain: ", plain())
print("cached:", cached(), "then", cached(), type(cached))
print("single:", single())
print("double:", double())
