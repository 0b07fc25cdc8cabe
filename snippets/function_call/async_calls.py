import asyncio
import inspect


async def async_fn():
    print("async_fn body is running")
    return "async result"


coro = async_fn()
print(coro)
print("State:", inspect.getcoroutinestate(coro))
print("It owns a frame:", coro.cr_frame.f_code.co_name)

print("Result:", asyncio.run(coro))
print("State:", inspect.getcoroutinestate(coro))
print("Frame after closing:", coro.cr_frame)

async_fn()  # created, never awaited: Python warns when it is collected
