def make_counter():
    count = 0

    def bump():
        nonlocal count
        count += 1
        return count

    def peek():
        return count

    return bump, peek


bump, peek = make_counter()
other, other_peek = make_counter()
print("make_counter.co_cellvars:", make_counter.__code__.co_cellvars)
print("bump.co_freevars:", bump.__code__.co_freevars)
cell = bump.__closure__[0]
print("bump and peek hold one cell:", cell is peek.__closure__[0])
print("other holds another:", other.__closure__[0] is not cell)
bump()  # marker: before
bump()
other()
print("cell_contents:", cell.cell_contents, "| peek():", peek())
print("other_peek():", other_peek())
