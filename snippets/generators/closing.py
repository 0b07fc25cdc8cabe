def worker():
    done = 0
    try:
        while True:
            yield done
            done += 1
    except GeneratorExit as exc:
        print("  close() raised", repr(exc), "at the paused yield")
        return f"{done} jobs done"
    finally:
        print("  finally runs")


gen = worker()
next(gen)
next(gen)
print("close() returned", repr(gen.close()))
print("GeneratorExit is an Exception:", issubclass(GeneratorExit, Exception))


def stubborn():
    try:
        yield 1
    except GeneratorExit:
        yield "not leaving"


stub = stubborn()
next(stub)
try:
    stub.close()
except RuntimeError as exc:
    print("RuntimeError:", exc)

fresh = worker()
print("closing one that never started:", repr(fresh.close()))
