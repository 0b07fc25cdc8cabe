import inspect
import sys


def averager():
    total = count = 0
    average = None
    while True:
        try:
            value = yield average
        except ValueError as exc:
            below = sys._getframe(1).f_code.co_name
            state = inspect.getgeneratorstate(gen)
            print(f"  averager: skipped {exc!r}; below it: {below} ({state})")
            continue
        if value is None:
            return average
        total += value
        count += 1
        average = total / count


def report(name):
    try:
        result = yield from averager()
        print(f"  report: {name} averaged {result}")
        yield result
    finally:
        print("  report: finally runs")


gen = report("temps")
print("created:", inspect.getgeneratorstate(gen))
print("next(gen)      ->", next(gen))
print("gen.send(20)   ->", gen.send(20))
print("gen.throw(...) ->", gen.throw(ValueError("sensor glitch")))
print("gen.send(30)   ->", gen.send(30))
print("gen.send(None) ->", gen.send(None))
gen.close()
print("closed:", inspect.getgeneratorstate(gen), "| gi_frame:", gen.gi_frame)
