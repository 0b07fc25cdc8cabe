import asyncio


async def chunk(name, i):
    print(f"  {name}: chunk {i}")
    await asyncio.sleep(0)  # not ready: the task gives up its turn


async def download(name, chunks):
    for i in range(chunks):
        await chunk(name, i)  # awaited directly: just a call
    return f"{name} ({chunks} chunks)"


async def spinner(turns):
    for i in range(turns):
        print("  spinner:", "|/-"[i])
        await asyncio.sleep(0)


async def main():
    spin = asyncio.create_task(spinner(3))
    print("main: spinner task created")
    got = await download("a.txt", 2)
    print("main:", got)
    await spin
    print("main: gather")
    both = await asyncio.gather(download("b.txt", 2), spinner(2))
    print("main:", both)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(download("c.txt", 1))
        tg.create_task(spinner(1))
        print("main: TaskGroup body done, its tasks not started")
    print("main: TaskGroup exited")


asyncio.run(main())
