import inspect
import os
import sys
import traceback

print("modules:", sorted(sys.modules))
print("path:", sys.path)
print("environ:", sorted(os.environ))
print("argv:", sys.argv, "main:", __name__)


def where():
    return [(f.function, f.lineno) for f in inspect.stack()]


print("stack:", where())
try:
    raise LookupError("shown in the traceback")
except LookupError:
    traceback.print_exc()
