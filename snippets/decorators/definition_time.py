def announce(func):
    print("  announce got", func.__name__,
          "| name bound yet:", func.__name__ in globals())
    return func


print("1. before the def statement")


@announce
def greet():
    print("  greet runs")


print("2. after the def statement, before any call")
greet()
greet()


def spelled_out():
    print("  spelled_out runs")


print("3. the same thing by hand")
spelled_out = announce(spelled_out)
