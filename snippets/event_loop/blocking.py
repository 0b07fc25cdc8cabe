import asyncio
import time


async def ticker():
    for i in range(3):
        print(f"  tick {i}")
        await asyncio.sleep(0)


async def slow():
    print("  slow: start")
    await asyncio.sleep(0)  # one turn for the others
    print("  slow: sleeping")
    time.sleep(0.3)  # blocks the thread, and the loop that runs on it
    print("  slow: end")


async def main():
    await asyncio.gather(slow(), ticker())


asyncio.run(main())
