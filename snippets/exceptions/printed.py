import sys
import traceback


def inner():
    raise ValueError("deep")


def handler():
    try:
        inner()
    except ValueError:
        traceback.print_exc(file=sys.stdout)
        print("--- traceback.format_stack() in the handler:")
        print("".join(traceback.format_stack()), end="")


def main():
    handler()


main()
