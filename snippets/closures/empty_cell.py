import dis


def outer():
    def get():
        return value
    print("get is made; its cell:", get.__closure__[0])
    try:  # marker: empty
        get()
    except NameError as error:
        print("NameError:", error)
    value = "assigned later"
    print("the same cell now:", get.__closure__[0])
    return get


first_two = [i.opname for i in dis.get_instructions(outer)][:2]
print("outer starts with", first_two)
get = outer()
print("outer has returned; get() still reads", repr(get()))
