"""Parent side of a snippet run: interpreters, the child process and its limits, the cache."""
