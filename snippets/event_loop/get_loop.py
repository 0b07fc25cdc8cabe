import asyncio
import warnings

warnings.simplefilter("always")  # show DeprecationWarning too
try:
    loop = asyncio.get_event_loop()  # no loop running, none set
    print("got a new loop:", type(loop).__name__)
    loop.close()
except RuntimeError as exc:
    print("RuntimeError:", exc)
