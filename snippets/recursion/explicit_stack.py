def total_recursive(items):
    result = 0
    for item in items:
        if isinstance(item, list):
            result += total_recursive(item)  # a frame per level
        else:
            result += item
    return result


def total_iterative(items):
    result, pending = 0, [items]    # a stack we manage ourselves
    while pending:
        for item in pending.pop():
            if isinstance(item, list):
                pending.append(item)  # remember it for later
            else:
                result += item
    return result


if __name__ == "__main__":
    data = [1, [2, [3, [4, [5]]]]]
    print("recursive:", total_recursive(data))
    print("iterative:", total_iterative(data))
