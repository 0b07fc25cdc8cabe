"""A caught exception, and what its traceback keeps alive, is freed when the handler ends."""


class Noisy:
    def __del__(self):
        print("Noisy freed")


def fail():
    kept = Noisy()
    raise ValueError(kept)


try:
    fail()
except ValueError:
    print("in the handler")
print("after the handler")
