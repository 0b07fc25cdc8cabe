import inspect


def read_port(config):
    text = config["port"]
    if not text.isdigit():
        raise ValueError("bad port")
    return int(text)


def connect(config):
    print("connect: opened")
    try:
        return read_port(config)
    finally:
        print("connect: finally runs")


def start(config):
    port = connect(config)
    print("start: never printed", port)


def main():
    try:
        start({"port": "eighty"})
    except ValueError as exc:
        print("main caught", repr(exc))
        tb = exc.__traceback__
    print("tb_next chain:")
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        print(" ", name, tb.tb_lineno)
        tb = tb.tb_next
    print("f_back chain:")
    frame = inspect.currentframe()
    while frame is not None:
        name = frame.f_code.co_name
        print(" ", name, frame.f_lineno)
        frame = frame.f_back


main()
