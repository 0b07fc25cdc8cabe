import inspect


class Reply:
    """Something to wait for: its __await__ suspends once."""

    def __await__(self):
        answer = yield "waiting for a reply"  # out to whoever drives
        return answer


async def ask(question):
    print("  ask: sending", repr(question))
    answer = await Reply()  # the frame stops here until resumed
    print("  ask: got", repr(answer))
    return answer.upper()


coro = ask("ping?")
print("after ask():", inspect.getcoroutinestate(coro))
out = coro.send(None)
print("send(None) gave", repr(out))
print("now:", inspect.getcoroutinestate(coro),
      "| line", coro.cr_frame.f_lineno,
      "| cr_await:", type(coro.cr_await).__name__)
try:
    coro.send("pong")
except StopIteration as stop:
    print("send('pong') raised StopIteration, value", repr(stop.value))
print("finally:", inspect.getcoroutinestate(coro),
      "| frame:", coro.cr_frame)
