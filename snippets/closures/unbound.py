count = 10


def report():
    print("report's local variables:", report.__code__.co_varnames)
    print("count is", count)       # count is assigned below: local here
    count = 0


try:
    report()
except UnboundLocalError as error:
    print("UnboundLocalError:", error)
