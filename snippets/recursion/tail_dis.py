import dis


def total(n, acc=0):
    if n == 0:
        return acc
    return total(n - 1, acc + n)      # tail call


def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)       # not a tail call: * runs after


for function in (total, factorial):
    last_line = function.__code__.co_firstlineno + 3
    names = [instruction.opname
             for instruction in dis.get_instructions(function)
             if instruction.positions.lineno == last_line]
    print(f"{function.__name__:<10} line {last_line} ends with:",
          ", ".join(names[-3:]))
