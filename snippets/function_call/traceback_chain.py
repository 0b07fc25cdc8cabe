import traceback


def fail():
    raise ValueError("boom")


def handle():
    try:
        fail()
    except ValueError as error:
        chain = traceback.extract_tb(error.__traceback__)
        print("traceback: ", [entry.name for entry in chain])
        stack = traceback.extract_stack()
        print("stack now: ", [entry.name for entry in stack])


def main():
    handle()


main()
