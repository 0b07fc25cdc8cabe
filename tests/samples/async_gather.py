import asyncio


async def fetch(name, delay):
    await asyncio.sleep(delay)
    return name.upper()


async def main():
    results = await asyncio.gather(fetch("a", 0.01), fetch("b", 0))
    print(results)
    return results


asyncio.run(main())
