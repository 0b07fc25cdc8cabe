import warnings


async def never():
    return 1


never()
warnings.warn("a plain warning")
print({"a", "b", "c", "d", "e"})
print(hash("deepcuts") == hash("deepcuts"))
