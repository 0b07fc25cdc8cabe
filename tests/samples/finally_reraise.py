def risky():
    try:
        raise KeyError("k")
    finally:
        print("cleanup runs")


def caller():
    try:
        risky()
    except KeyError:
        return "handled"


print(caller())
