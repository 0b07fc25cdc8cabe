def tag(label):
    print("tag", label, "builds a decorator")

    def decorator(func):
        print("decorator", label, "wraps", func.__qualname__)

        def wrapper():
            print("enter", label)
            result = func()
            print("leave", label)
            return result
        return wrapper
    return decorator


@tag("outer")
@tag("inner")
def work():
    print("work runs")
    return 42


print("calling work")
print(work())
