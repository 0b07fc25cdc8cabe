import threading


def work(label):
    return label * 2


def runner(label, out):
    out.append(work(label))


results = []
thread = threading.Thread(target=runner, args=("ab", results))
thread.start()
thread.join()
print(results)
