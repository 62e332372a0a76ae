# Open support tickets with priorities chosen by simple rules.
issues = [
    ("Checkout page down", 500),
    ("Typo on about page", 1),
    ("Slow search results", 40),
]
for title, affected in issues:
    if affected > 100:
        ticket = create_ticket(title=title, priority="high", assignee="oncall")
    elif affected > 10:
        ticket = create_ticket(title=title, priority="medium")
    else:
        ticket = create_ticket(title=title, priority="low")
    owner = ticket["assignee"] or "unassigned"
    print(f"{ticket['ticket_id']} [{ticket['priority']}] {ticket['title']} -> {owner}")
