def make_adder(step):
    def add(value):
        return value + step

    return add


add_two = make_adder(2)
print(add_two(40))
