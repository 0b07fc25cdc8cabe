import functools


def logged(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        print("calling", func.__name__, args)
        return func(*args, **kwargs)

    return wrapper


@logged
def square(x):
    return x * x


print(square(7))
