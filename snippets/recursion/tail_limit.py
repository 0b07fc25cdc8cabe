import sys

sys.setrecursionlimit(40)


def total(n, acc=0):
    if n == 0:
        return acc
    return total(n - 1, acc + n)     # tail call


print("total(30) =", total(30))      # 31 frames of total: fits
print("total(50) =", total(50))      # would need 51
