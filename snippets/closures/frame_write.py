import sys


def outer():
    count = 0

    def inner():
        frame = sys._getframe()
        print("f_locals is a", type(frame.f_locals).__name__)
        print("count in inner's f_locals:", frame.f_locals["count"])
        frame.f_locals["count"] = 99    # write to the free variable
        print("count in inner:", count)

    inner()
    print("count in outer:", count)


outer()
