import asyncio


async def quick():
    print("  quick: running")
    return "quick's result"


async def main():
    task = asyncio.create_task(quick())
    print("  create_task returned; done?", task.done())
    print("  awaited:", await task)


print("default task factory:")
asyncio.run(main())
if hasattr(asyncio, "eager_task_factory"):  # new in 3.12
    print("eager_task_factory:")
    loop = asyncio.new_event_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    loop.run_until_complete(main())
    loop.close()
else:
    print("this version has no asyncio.eager_task_factory")
