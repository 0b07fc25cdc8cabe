import functools


def logged(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)
    return wrapper


@logged
def divide(a, b):
    return a / b


print(divide, divide.__wrapped__)
divide(1, 0)
