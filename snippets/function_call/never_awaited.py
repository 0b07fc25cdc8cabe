async def fetch():
    return "data"


c = fetch()                      # line 5: the coroutine is created here
print("created on line 5; nothing has been warned about yet")
print("the last reference goes on line 8")
del c                            # line 8: the coroutine is finalised here
print("end of program")
