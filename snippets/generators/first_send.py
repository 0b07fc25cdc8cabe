def echo():
    print("  echo's body starts")
    while True:
        got = yield
        print("  echo got", repr(got))


gen = echo()
try:
    gen.send("too early")
except TypeError as exc:
    print("TypeError:", exc)
print("send(None) ->", gen.send(None))
print("send('hi') ->", gen.send("hi"))
