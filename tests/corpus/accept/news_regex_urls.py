# Extract slugs and ids from article URLs with regular expressions.
import re

pattern = re.compile(r"https://news\.example\.com/([a-z-]+)/(\d+)")
found = []
for article in get_news(topic="machine learning", limit=4):
    m = pattern.match(article["url"])
    if m:
        found.append((m.group(1), int(m.group(2))))
print(found)
print(re.sub(r"\s+", " ", "  too   many    spaces ").strip())
