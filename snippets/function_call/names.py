import dis

label = "module global"


def reads_global():
    return label, len("abc")     # never assigned here: globals, then builtins


def assigns_later():
    print(label)                 # assigned below, so local in the whole body
    label = "local"


def outer():
    label = "outer's local"      # captured below: outer makes a cell for it

    def inner():
        return label             # inner reads it through that cell
    return inner


def uses(func):
    """The instructions the compiler chose for `label` in func."""
    return [ins.opname for ins in dis.get_instructions(func)
            if ins.argval == "label"]


print(reads_global())
try:
    assigns_later()
except UnboundLocalError as error:
    print("UnboundLocalError:", error)
inner = outer()
print(inner(), "| cell:", inner.__closure__[0].cell_contents)
for func in (reads_global, assigns_later, outer, inner):
    print(f"{func.__name__:<13}", uses(func))
