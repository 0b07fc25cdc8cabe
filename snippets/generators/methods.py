def tally():
    print("  tally starts")
    total = 0
    try:
        while True:
            try:
                amount = yield total
            except ValueError as exc:
                print("  the paused yield raised", repr(exc))
                continue
            print("  the yield evaluated to", repr(amount))
            total += amount
    finally:
        print("  finally runs, total =", total)


gen = tally()
print("next(gen)     ->", next(gen))
print("gen.send(5)   ->", gen.send(5))
print("gen.send(7)   ->", gen.send(7))
print("gen.throw(..) ->", gen.throw(ValueError("refund")))
print("gen.close()   ->", gen.close())
print("gen.close()   ->", gen.close(), "(already closed: nothing runs)")
print("next(gen, 'no more') ->", next(gen, "no more"))
