def fail():
    secret = "still here"
    raise RuntimeError("boom")


try:
    fail()
except RuntimeError as exc:
    saved = exc
    print("in the handler, 'exc' in globals():", "exc" in globals())

print("after the handler, 'exc' in globals():", "exc" in globals())
tb = saved.__traceback__
while tb.tb_next is not None:
    tb = tb.tb_next
frame = tb.tb_frame
print("last traceback entry:", frame.f_code.co_name, "line", tb.tb_lineno)
print("its frame's locals, after fail() ended:", frame.f_locals)
print("its frame's f_back:", frame.f_back.f_code.co_name)
