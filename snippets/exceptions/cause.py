def load(config):
    return int(config["port"])


def start(config):
    try:
        return load(config)
    except ValueError as exc:
        exc.add_note(f"while loading {config!r}")
        raise RuntimeError("cannot start") from exc


start({"port": "eighty"})
