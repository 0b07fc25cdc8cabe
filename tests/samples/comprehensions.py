def double(x):
    return 2 * x


squares = [double(n) for n in range(3)]
print(squares)
