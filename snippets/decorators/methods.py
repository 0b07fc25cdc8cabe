import functools


def logged(func):
    print("logged gets", func.__qualname__)

    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)
    return wrapper


def registered(cls):
    print("registered gets the class", cls.__name__)
    REGISTRY[cls.__name__] = cls
    return cls


REGISTRY = {}


@registered
class Account:
    print("the class body runs")

    @logged
    def deposit(self, amount):
        return f"{amount} into {type(self).__name__}"


acct = Account()
print(acct.deposit(5))
print(acct.deposit.__func__ is Account.__dict__["deposit"])
print(REGISTRY)
