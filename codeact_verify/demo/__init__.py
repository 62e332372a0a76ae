"""The demo: its weather tools, a scripted OpenAI-compatible model server, token counting."""
