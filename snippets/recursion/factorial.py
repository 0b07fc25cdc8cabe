def factorial(n):
    if n <= 1:
        return 1                     # marker: bottom
    below = factorial(n - 1)         # this frame waits here
    return n * below


print("factorial(4) =", factorial(4))
