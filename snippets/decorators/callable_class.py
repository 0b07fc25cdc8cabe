import types


class counted:                       # a decorator written as a class
    def __init__(self, func):
        self.func = func
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return self.func(*args)


class bound_counted(counted):        # the same, plus __get__
    def __get__(self, instance, owner):
        if instance is None:
            return self
        return types.MethodType(self, instance)


class Account:
    @counted
    def deposit(self, amount):
        return amount

    @bound_counted
    def withdraw(self, amount):
        return -amount


acct = Account()
try:
    acct.deposit(5)
except TypeError as error:
    print("TypeError:")
    print(" ", error)
print(acct.withdraw(5), Account.__dict__["withdraw"].calls)
