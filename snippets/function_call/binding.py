import inspect


def add(a, b):
    # The first statement of the body: the arguments are already bound.
    print("Bound before the body:", inspect.currentframe().f_locals)
    total = a + b
    print("Later in the body:", inspect.currentframe().f_locals)
    return total


add(2, 3)

# A wrong call fails during call setup: the body's first line never runs.
try:
    add(1)
except TypeError as error:
    print("TypeError:", error)


# Default values are evaluated once, when `def` runs, not at each call.
def append_to(item, bucket=[]):
    bucket.append(item)
    return bucket


print(append_to(1), append_to(2))
print("Defaults stored on the function:", append_to.__defaults__)

# Decorators can bind a call to the signature the same way the interpreter will.
print(inspect.signature(add).bind(2, b=3).arguments)
