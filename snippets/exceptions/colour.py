import subprocess
import sys

code = "1 / 0"
for env in ({}, {"PYTHON_COLORS": "1"}):
    run = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True)
    print(env, "->", repr(run.stderr.splitlines()[-1]))
