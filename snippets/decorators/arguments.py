def repeat(times):                  # 1. called with the argument
    def decorator(func):            # 2. called with the function
        def wrapper(*args):         # 3. called on every call
            results = []
            for _ in range(times):
                results.append(func(*args))
            return results
        return wrapper
    return decorator


@repeat(3)
def hello(name):
    return "hi " + name


print(hello("ada"))
print(hello("bob"))
for name, cell in zip(hello.__code__.co_freevars, hello.__closure__):
    print(name, "->", cell.cell_contents)
