# Source: PEP 672, Unicode-related Security Considerations for Python (https://peps.python.org/pep-0672/) (NFKC: ｇｅｔａｔｔｒ is getattr)
ｇｅｔａｔｔｒ(get_weather, "__globals__")
