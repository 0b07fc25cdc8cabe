import asyncio


async def leftover():
    try:
        await asyncio.sleep(3600)  # still waiting when main returns
    except BaseException as exc:
        where = exc.__traceback__.tb_lineno
        print(f"  leftover: {type(exc).__name__} at line {where}")
        raise


async def main():
    global loop
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    print("  main runs in", task.get_name(), "wrapping", task.get_coro())
    print("  loop running?", loop.is_running())
    asyncio.create_task(leftover())
    await asyncio.sleep(0)  # one turn: leftover starts and suspends
    print("  main returns")
    return "done"


print("asyncio.run returned", repr(asyncio.run(main())))
print("loop closed?", loop.is_closed())
