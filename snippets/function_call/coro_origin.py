import sys
import tracemalloc

sys.set_coroutine_origin_tracking_depth(2)   # remember 2 frames of callers
tracemalloc.start()                          # remember where objects came from


async def fetch():
    return "data"


def start():
    return fetch()               # line 13: the coroutine is created here


pending = [start()]
print("cr_origin:", pending[0].cr_origin)
pending.clear()                  # line 18: the coroutine is finalised here
