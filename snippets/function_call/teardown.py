import inspect
import sys

kept = None


def inner():
    global kept
    message = "done"
    kept = sys._getframe()
    return message


def outer():
    result = inner()
    # inner has returned: its frame is no longer on the stack.
    print("Stack in outer:", [f.function for f in inspect.stack()])
    return result


print(outer())
# ...but the frame object survives while something references it.
print("Kept frame:", kept.f_code.co_name, "stopped at line", kept.f_lineno)
print("Its locals are still readable:", kept.f_locals)
on_stack = any(info.frame is kept for info in inspect.stack())
print("Is it on the stack?", on_stack)
