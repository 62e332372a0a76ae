# ruff: noqa
# Finding 03 (MEDIUM, verifier skipped): `execute(code, report=...)` trusts the report's verdict
# without checking that it is the report OF `code`. `CodeAct.execute(code, report=r)` and
# `executor.execute` never compare; `ExecuteCodeTool.run(arguments, report=r)` compares
# `report.source != code` but only when `report.source` is non-empty, and the report of the empty
# program (`verify("")`, accepted) has source "". A stale report (the model's previous attempt,
# verified and shown to an approver; a cache keyed by something else; a report for the same text
# with other tools) makes a rejected program run with the verifier skipped. Since parse-once the
# CheckedProgram on the report is ignored for another text (it parses anew), so the run is
# consistent with the text, but nothing verified that text. The approval gate also sees the other
# program's report (its effects), so the approver is shown the wrong program.
# Layer beaten: verifier (the sandbox alone contains the program).
#
#   $ .venv/bin/python docs/redteam/03_report_of_another_program.py
#   expected: both runs `rejected` (CV101 global), nothing printed
#   actual (main 10a659e):
#     verdict of evil: False ['CV101']
#     CodeAct.execute(evil, report=verify('print(1)')): ok=True stdout='global ran 1\n'
#     ExecuteCodeTool.run(evil, report=verify('')): ok=True stdout='global ran 1\n'
# Fix (red3): executor.execute verifies again when `report.source != code` (a report of another
# text is not a report of this one); ExecuteCodeTool.run drops the `report.source and` shortcut.
import asyncio

from codeact_verify import CodeAct


def get_weather(city: str) -> str:
    """Weather for a city."""
    return city


ca = CodeAct(tools=[get_weather])
evil = "x = 0\ndef f():\n    global x\n    x = 1\nf()\nprint('global ran', x)\n"
print("verdict of evil:", ca.verify(evil).ok, [d.code for d in ca.verify(evil).diagnostics])
e = asyncio.run(ca.execute(evil, report=ca.verify("print(1)")))
print("CodeAct.execute(evil, report=verify('print(1)')):", f"ok={e.ok}", f"stdout={e.stdout!r}",
      e.error)
_, e = asyncio.run(ca.execute_code_tool.run({"code": evil}, report=ca.verify("")))
print("ExecuteCodeTool.run(evil, report=verify('')):", f"ok={e.ok}", f"stdout={e.stdout!r}",
      e.error)
