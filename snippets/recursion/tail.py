def total(n, acc=0):
    if n == 0:
        return acc
    return total(n - 1, acc + n)     # a tail call: nothing to do after


print("total(30) =", total(30))
