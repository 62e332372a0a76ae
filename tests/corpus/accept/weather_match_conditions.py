# Suggest clothing from the weather using match with mapping and guard patterns.
def advice(w: dict) -> str:
    match w:
        case {"conditions": "rain"}:
            return "take an umbrella"
        case {"conditions": "snow"}:
            return "wear boots"
        case {"temperature": t} if t > 20:
            return "t-shirt weather"
        case _:
            return "bring a jacket"


for city in ["London", "Cairo", "Tokyo"]:
    w = call_tool("get_weather", city=city)
    print(f"{city}: {advice(w)}")
