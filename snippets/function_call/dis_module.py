import dis

dis.dis(compile("add(2, 3)", "<module>", "exec"))
