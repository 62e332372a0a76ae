# Source: https://smarttldr.pages.dev/en/topic/python-sandbox-escape-prevention/core (importlib restores imports)
import importlib
importlib.import_module("os").system("id")
