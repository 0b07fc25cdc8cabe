import sys
import types


def gen():
    yield sys._getframe()        # hand out this generator's own frame


g = gen()
frame = next(g)
has = hasattr(frame, "f_generator")
print("frame.f_generator exists:", has,
      "| is g:", has and frame.f_generator is g)
print("types.FrameLocalsProxyType:",
      getattr(types, "FrameLocalsProxyType", "missing"))
