def entries(tb):
    names = []
    while tb is not None:
        names.append(f"{tb.tb_frame.f_code.co_name}:{tb.tb_lineno}")
        tb = tb.tb_next
    return names


class Watch:
    def __init__(self, n):
        self.n = n

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        print(f"leaving level({self.n}), traceback so far:", entries(tb))


def level(n):
    with Watch(n):
        if n == 3:
            raise KeyError("deep")
        level(n + 1)


try:
    level(1)
except KeyError as exc:
    print("handler in <module>:", entries(exc.__traceback__))
