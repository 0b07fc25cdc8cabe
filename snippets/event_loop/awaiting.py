import asyncio


async def ticker():
    for i in range(3):
        print(f"  tick {i}")
        await asyncio.sleep(0)


async def slow():
    print("  slow: start")
    await asyncio.sleep(0)  # one turn for the others
    print("  slow: sleeping")
    await asyncio.sleep(0.3)  # suspends: the loop runs other tasks
    print("  slow: end")


async def main():
    await asyncio.gather(slow(), ticker())


asyncio.run(main())
