import dis

greeting = "hello"


def outer():
    name = "ada"

    def inner(sep):
        return len(greeting + sep + name)

    return inner


names = ("sep", "greeting", "name", "len")
for ins in dis.get_instructions(outer()):
    if ins.argval in names or ins.opname == "COPY_FREE_VARS":
        print(f"{ins.opname:<17} {ins.argval}")
