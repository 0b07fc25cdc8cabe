import sys


def numbers():
    n = 0
    while True:
        n += 1
        resumer = sys._getframe(1).f_code.co_name
        print(f"  numbers runs with n = {n}, its caller is {resumer}")
        yield n


def take_one():
    return next(gen)


def take_another():
    return next(gen)


gen = numbers()
print("take_one() ->", take_one())
print("paused: f_back is", gen.gi_frame.f_back)
print("take_another() ->", take_another())
print("paused: f_back is", gen.gi_frame.f_back)
print("next(gen) ->", next(gen))
