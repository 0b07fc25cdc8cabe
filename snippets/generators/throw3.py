def waiter():
    try:
        yield "waiting"
    except KeyError as exc:
        yield f"caught {exc!r}"


gen = waiter()
next(gen)
error = KeyError("k")
print(gen.throw(KeyError, error, None))
