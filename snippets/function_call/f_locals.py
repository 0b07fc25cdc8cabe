import sys


def demo():
    x = 1
    frame = sys._getframe()
    view = frame.f_locals
    print("f_locals is a", type(view).__name__)
    view["x"] = 99               # write through the frame's f_locals
    print("x after writing f_locals:", x)
    snapshot = locals()
    snapshot["x"] = -1           # write into what locals() returned
    print("x after writing locals():", x)
    print("f_locals, asked twice, one object?",
          frame.f_locals is frame.f_locals)
    del frame                    # see "A frame that holds itself" below


demo()
