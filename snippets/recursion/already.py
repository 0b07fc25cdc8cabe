import sys

sys.setrecursionlimit(40)
deepest = 0


def down(n):
    global deepest
    deepest = n
    down(n + 1)


def stack_size():                 # the caller's frame and all below it
    frame, count = sys._getframe(1), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def measure():
    below = stack_size()          # measure and every frame under it
    try:
        down(1)
    except RecursionError:
        print(f"{below:>2} frames below + {deepest} frames of down"
              f" = {below + deepest}")


def under(frames):                # `frames` frames, then measure
    return measure() if frames == 1 else under(frames - 1)


measure()                         # below: measure, <module>
under(5)
under(15)
