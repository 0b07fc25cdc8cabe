import inspect
import traceback


def level_two():
    for frame_info in inspect.stack():
        print(frame_info.function, "line", frame_info.lineno)
    print("".join(traceback.format_stack()), end="")


def level_one():
    level_two()


level_one()
