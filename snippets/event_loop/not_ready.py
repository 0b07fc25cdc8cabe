import asyncio


async def cached(key):
    return f"{key} from the cache"  # no await inside: never suspends


async def other():
    print("  other: my turn at last")


async def main():
    asyncio.create_task(other())
    for key in ("a", "b", "c"):
        print(" ", await cached(key))  # done at once: no turn given
    print("  main: awaiting something that is not ready")
    await asyncio.sleep(0)
    print("  main: back")


asyncio.run(main())
