"""The misuse case: a first program that treats a float tool result as a dict.

`get_exchange_rate` returns a bare float; the model's first program reads `rate["rate"]` after it
has already sent the first customer's email. With the verifier, the type check rejects the program
before any tool runs. Without it (the sandbox alone, as in the reference provider), the program
runs, sends one email, and fails; the repaired program then runs from the top and sends that email
again.
"""

from __future__ import annotations

from dataclasses import dataclass

from codeact_verify.bench.tasks import tools as t
from codeact_verify.bench.tasks.model import Fact, missing_facts

PROMPT = (
    "Email every silver-tier customer in Austin their pending-order total in USD, then give me "
    "each of those customers' totals in EUR for the finance team."
)

FIRST_PROGRAM = """\
rate = get_exchange_rate(base="USD", quote="EUR")
for c in find_customers(city="Austin", tier="silver"):
    total = 0.0
    for o in list_orders(customer_id=c["customer_id"], status="pending"):
        total += get_product(product_id=o["product_id"])["unit_price"] * o["quantity"]
    send_email(to=c["email"], subject="Your pending orders",
               body=f"Hello {c['name']}, your pending orders total {total:.2f} USD.")
    print(f"{c['name']}: {total:.2f} USD = {total * rate['rate']:.2f} EUR")
"""

FIXED_PROGRAM = FIRST_PROGRAM.replace("rate['rate']", "rate")

FINAL_ANSWER = (
    "I emailed both silver-tier customers in Austin their pending-order totals:\n"
    "- Dana Brooks: 721.50 USD = 663.78 EUR\n"
    "- Isabel Ruiz: 557.00 USD = 512.44 EUR\n"
    "(rate 0.92 EUR per USD)"
)


def solve() -> list[Fact]:
    rate = t.get_exchange_rate("USD", "EUR")
    facts: list[Fact] = []
    for c in t.find_customers(city="Austin", tier="silver"):
        total = sum(
            t.get_product(o["product_id"])["unit_price"] * o["quantity"]
            for o in t.list_orders(customer_id=c["customer_id"], status="pending")
        )
        facts += [c["name"], round(total * rate, 2)]
    return facts


@dataclass(frozen=True)
class MisuseCase:
    prompt: str
    first_program: str
    fixed_program: str
    final_answer: str
    repair_note: str

    def facts(self) -> list[Fact]:
        return solve()

    def check(self, text: str) -> list[str]:
        return missing_facts(text, self.facts())


MISUSE = MisuseCase(
    prompt=PROMPT,
    first_program=FIRST_PROGRAM,
    fixed_program=FIXED_PROGRAM,
    final_answer=FINAL_ANSWER,
    repair_note="get_exchange_rate returns a float, not a dict; use the rate directly.",
)
