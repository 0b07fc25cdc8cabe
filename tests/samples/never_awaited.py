async def job():
    return 42


def start_job():
    pending = job()
    print("created", type(pending).__name__)
    return pending


start_job()
