import dis


def plain(d):
    return d["k"]


def guarded(d):
    try:
        return d["k"]
    except KeyError:
        return None


print("plain:", [ins.opname for ins in dis.get_instructions(plain)])
names = [ins.opname for ins in dis.get_instructions(guarded)]
print("SETUP_* in guarded:", [n for n in names if n.startswith("SETUP")])

print()
dis.dis(guarded)
