import asyncio
import inspect


async def read_config():
    await asyncio.sleep(0)  # the task suspends here


async def start_service():
    await read_config()


def ours(frame):
    return f"{frame.f_code.co_name}:{frame.f_lineno}"


def by_hand(task):
    """Follow cr_await down from the task's coroutine."""
    coro, chain = task.get_coro(), []
    while (inspect.iscoroutine(coro)
           and coro.cr_code.co_filename == __file__):
        chain.append(ours(coro.cr_frame))
        coro = coro.cr_await
    return chain


async def main():
    task = asyncio.create_task(start_service(), name="service")
    await asyncio.sleep(0)  # service runs until read_config suspends
    print("by hand, via cr_await:", by_hand(task))
    print("task.get_stack():", [ours(f) for f in task.get_stack()])
    if hasattr(asyncio, "capture_call_graph"):  # new in 3.14
        graph = asyncio.capture_call_graph(task)
        print("capture_call_graph:", [
            ours(e.frame) for e in graph.call_stack
            if e.frame.f_code.co_filename == __file__])
    await task


asyncio.run(main())
