# Source: https://github.com/danthedeckie/simpleeval/issues/138 (escaping the sandbox through generators) (async variant: cr_frame)
async def bar():
    return 1

print(bar().cr_frame.f_globals)
