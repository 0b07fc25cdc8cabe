class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __repr__(self):
        return f"Vector({self.x}, {self.y})"

    def length_squared(self):
        return self.x * self.x + self.y * self.y


total = Vector(1, 2) + Vector(3, 4)
print(total, total.length_squared())
