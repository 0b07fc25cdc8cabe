import gc
import inspect
import weakref


def look(cleanup):
    payload = {"a", "big", "set"}    # a set can be weakly referenced
    frame = inspect.currentframe()   # the frame now holds itself in a local
    try:
        return weakref.ref(payload)
    finally:
        if cleanup:
            del frame                # what the inspect documentation advises


gc.disable()                         # no automatic cyclic collection
alive = look(cleanup=False)
print("kept `frame`: payload alive after return?", alive() is not None)
gc.collect()
print("after gc.collect():", alive() is not None)
alive = look(cleanup=True)
print("deleted `frame`: payload alive after return?", alive() is not None)
