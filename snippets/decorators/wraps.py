import functools
import inspect
import traceback


def bare(func):
    def wrapper(*args, **kwargs):
        """Call func."""
        return func(*args, **kwargs)
    return wrapper


def wrapped(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        """Call func."""
        return func(*args, **kwargs)
    return wrapper


def divide(a, b=1):
    """Divide a by b."""
    return a / b


for decorator in (bare, wrapped):
    f = decorator(divide)
    print(f"{decorator.__name__}:")
    print("  __name__     ", f.__name__)
    print("  __qualname__ ", f.__qualname__)
    print("  __doc__      ", f.__doc__)
    print("  signature    ", inspect.signature(f))
    print("  __wrapped__  ", getattr(f, "__wrapped__", "(none)"))
    print("  code name    ", f.__code__.co_name)
    try:
        f(1, 0)
    except ZeroDivisionError as error:
        names = [s.name for s in traceback.extract_tb(error.__traceback__)]
        print("  traceback    ", names)
