# Send a weather report by email
lines = []
for c in ["Paris", "Oslo"]:
    w = get_weather(city=c)
    lines.append(f"{c}: {w['temperature_c']} C, {w['conditions']}")
print(send_report(to="team@example.com", subject="Weather", body="\n".join(lines)))
