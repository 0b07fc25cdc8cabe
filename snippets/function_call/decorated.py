import functools
import inspect


def stack():
    """The functions on the stack below the caller, innermost first."""
    return [info.function for info in inspect.stack()[1:]]


def register(func):              # hands back the function itself
    return func


def logged(func):                # hands back a new Python function
    def wrapper(*args):
        return func(*args)
    return wrapper


@register
def plain():
    return stack()


@functools.lru_cache             # a wrapper written in C
def cached():
    return stack()


@logged
@logged
def twice():
    return stack()


print("register:   ", plain())
print("lru_cache:  ", cached(), type(cached).__name__)
print("logged x 2: ", twice())
