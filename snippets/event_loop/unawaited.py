import sys

sys.stderr = sys.stdout  # warnings print in order with the rest


async def job():
    print("never printed")


def make():
    return job()  # the coroutine is created here


def drop(box):
    box.clear()  # its last reference goes here


box = [make()]
print("make() returned; no warning yet")
drop(box)
print("drop() returned")
sys.set_coroutine_origin_tracking_depth(2)
box = [make()]
drop(box)
