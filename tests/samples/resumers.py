"""A suspended generator belongs to no stack: each resumption runs it below whoever resumed it."""
import sys


def gen():
    while True:
        yield sys._getframe(1).f_code.co_name


def first(g):
    return next(g)


def second(g):
    return next(g)


g = gen()
print("resumed by", first(g))
print("suspended, f_back is", g.gi_frame.f_back)
print("resumed by", second(g))
print("resumed by", next(g))
