async def fetch():
    return "data"


kept = fetch()                   # still referenced when the program ends
print("end of program")
