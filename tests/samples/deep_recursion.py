"""Recursion to the limit, in the ways a program meets it: the recording must not change a thing."""
import sys

sys.setrecursionlimit(80)
deepest = 0


def down(n):
    global deepest
    deepest = n
    return down(n + 1)


try:
    down(0)
except RecursionError as exc:
    print("plain:", deepest, exc)


def catch_inside(n):
    try:
        return catch_inside(n + 1)
    except RecursionError:
        return n  # no call here: on 3.11 a C call at the limit is a known gap (trace-format.md)


print("caught at", catch_inside(0), "limit", sys.getrecursionlimit())


def through_map(n):
    return list(map(through_map, [n + 1]))


try:
    through_map(0)
except RecursionError as exc:
    print("through map:", exc)


class Node:
    def __init__(self, n):
        self.child = Node(n + 1)


try:
    Node(0)  # how deep this gets depends on the call's specialization: a known gap, see tests
except RecursionError as exc:
    print("through __init__:", exc)


def nested(n):
    yield n
    yield from nested(n + 1)


sys.setrecursionlimit(40)  # every value passes up the whole chain: keep the trace short
try:
    print("generators:", len(list(nested(0))))
except RecursionError as exc:
    print("generators:", exc)


sys.setrecursionlimit(80)


def lower_on_the_way(n):
    if n == 20:
        sys.setrecursionlimit(60)
    return lower_on_the_way(n + 1)


try:
    lower_on_the_way(0)
except RecursionError as exc:
    print("lowered:", exc, sys.getrecursionlimit())

sys.setrecursionlimit(1000)


def default_limit(n):
    return default_limit(n + 1)


try:
    default_limit(0)
except RecursionError as exc:
    print("default:", exc, sys.getrecursionlimit())
