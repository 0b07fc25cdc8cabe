import builtins
import sys

greeting = "hello"                 # a global of this module


def outer():
    name = "ada"                   # a local of outer, used by inner

    def inner():
        frame = sys._getframe()
        spaces = {"f_locals": frame.f_locals,
                  "f_globals": frame.f_globals,
                  "f_builtins": frame.f_builtins}
        for var in ("frame", "name", "greeting", "len"):
            found = [key for key, space in spaces.items() if var in space]
            print(f"{var:>8} is in {found}")
        print("f_builtins is builtins.__dict__:",
              frame.f_builtins is builtins.__dict__)
        return len(greeting + " " + name)

    return inner()


print("inner returned", outer())
