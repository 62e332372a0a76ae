# Build a short news digest, wrapping and shortening the text with textwrap.
import textwrap

topics = ["climate", "space", "markets"]
lines = []
for topic in topics:
    articles = get_news(topic=topic, limit=2)
    for a in articles:
        lines.append(f"[{a['source']}] {a['title']} ({a['published'][:10]})")
digest = " | ".join(lines)
print(textwrap.fill(digest, width=60))
print(textwrap.shorten(digest, width=50, placeholder=" ..."))
