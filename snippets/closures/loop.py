def make_handlers():
    handlers = []
    for i in range(3):
        handlers.append(lambda: i)     # each lambda closes over i
    return handlers


def make_one(n):                       # a factory: each call, a new cell
    return lambda: n


late = make_handlers()
print("late binding:", [h() for h in late])
same = late[0].__closure__[0] is late[2].__closure__[0]
print("one cell for all:", same)
made = [make_one(i) for i in range(3)]
print("factory:", [h() for h in made])
defaults = [lambda i=i: i for i in range(3)]
print("default argument:", [h() for h in defaults])
print("their closures:", [h.__closure__ for h in defaults])
