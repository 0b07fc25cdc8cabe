import inspect


def demo():
    frame = inspect.currentframe()
    print("Function:", frame.f_code.co_name)
    print("Locals:", frame.f_locals)
    print("Bytecode object:", frame.f_code)
    print("Globals are the module's:", frame.f_globals is globals())
    print("Builtins has len:", "len" in frame.f_builtins)
    print("Previous frame runs:", frame.f_back.f_code.co_name)


demo()
