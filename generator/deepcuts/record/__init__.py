"""The frame recorder, run inside the snippet's interpreter.

Its modules are imported there by their own names (this folder is on the child's PYTHONPATH);
the generator imports only ``_deepcuts_protocol`` from here.
"""
