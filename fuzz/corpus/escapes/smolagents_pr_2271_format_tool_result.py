# Source: https://github.com/huggingface/smolagents/pull/2271 (dunder access via str.format field paths); a format string that comes from a tool result is never proven safe
articles = call_tool("get_news", topic="python", limit=1)
template = articles[0]["title"]
print(template.format(get_weather))
