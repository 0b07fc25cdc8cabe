total = 0


def outer():
    count = 0

    def no_decl():
        count += 1             # an assignment: count is local to no_decl

    def with_decl():
        nonlocal count         # count is outer's, in its cell
        global total           # total is the module's, in f_globals
        count += 1
        total += 10

    try:
        no_decl()
    except UnboundLocalError as error:
        print("no_decl:", error)
    with_decl()
    with_decl()
    print("count:", count, "| total:", total)
    for f in (no_decl, with_decl):
        code = f.__code__
        print(f"{f.__name__:>9}: locals {code.co_varnames}, free "
              f"{code.co_freevars}, globals {code.co_names}")


outer()
try:
    compile("def f():\n    nonlocal nowhere\n", "<demo>", "exec")
except SyntaxError as error:
    print("SyntaxError:", error.msg)
