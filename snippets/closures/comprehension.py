def in_comprehension():
    return [lambda: i for i in range(3)]


handlers = in_comprehension()
print("results:", [h() for h in handlers])
first, last = handlers[0].__closure__[0], handlers[2].__closure__[0]
print("one cell:", first is last)
print("lambda:", handlers[0].__qualname__)
code = in_comprehension.__code__
print("in_comprehension.co_cellvars:", code.co_cellvars)
