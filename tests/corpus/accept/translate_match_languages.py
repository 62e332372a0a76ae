# Translate a greeting into several languages and label each with a match statement.
def language_name(code: str) -> str:
    match code:
        case "fr":
            return "French"
        case "de" | "at":
            return "German"
        case "ja":
            return "Japanese"
        case _:
            return "unknown"


for code in ["fr", "de", "ja", "xx"]:
    text = translate(text="Good morning", target_lang=code)
    print(f"{language_name(code):<9} {text}")
