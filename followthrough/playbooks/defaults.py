"""The playbooks every new workspace starts with (DESIGN C4), with the timings of the field notes.

Each is plain data in the export format, so a business can read, change or switch off any of them.
Purposes give the person something of value; none is a sales push.
"""

from typing import Any

DEFAULT_PLAYBOOKS: list[dict[str, Any]] = [
    {
        "key": "new-lead",
        "name": "New lead",
        "description": "Answer the same business day; never drop them for not buying now: "
        "nurture at 3 and 6 months.",
        "trigger": "lead.created",
        "steps": [
            {
                "offset": 0,
                "unit": "business_days",
                "channel": "preferred",
                "purpose": "Welcome {{ first_name }}: answer what they came for, today",
            },
            {
                "offset": 91,
                "purpose": "Nurture: share something useful with {{ first_name }} "
                "({{ interest }}) — no pressure, 3 months on",
            },
            {
                "offset": 182,
                "purpose": "Nurture: 6-month check-in with {{ first_name }} — has "
                "anything changed for them?",
            },
        ],
        "stop_conditions": ["bought", "unsubscribed"],
        "max_runs_per_contact": 1,
    },
    {
        "key": "information-request",
        "name": "Information request",
        "description": "They asked for information: send it today, check it helped.",
        "trigger": "info.requested",
        "steps": [
            {
                "offset": 0,
                "unit": "business_days",
                "purpose": "Send {{ first_name }} the information they asked for",
            },
            {
                "offset": 3,
                "unit": "business_days",
                "purpose": "Check the information helped {{ first_name }}; answer any questions",
            },
        ],
        "stop_conditions": ["bought", "unsubscribed"],
    },
    {
        "key": "first-purchase",
        "name": "First purchase",
        "description": "A handwritten note after a week, a call after two weeks, a check-in at "
        "three months and a review or referral ask at six.",
        "trigger": "purchase.made",
        "conditions": {"facts": [{"fact": "purchase_number", "op": "==", "value": 1}]},
        "steps": [
            {
                "offset": 7,
                "channel": "note",
                "purpose": "Handwritten thank-you note to {{ first_name }} for their first "
                "purchase",
            },
            {
                "offset": 14,
                "channel": "call",
                "purpose": "Call {{ first_name }}: how are they enjoying it? Any problems? "
                "Recommend groups or places that fit",
            },
            {"offset": 91, "purpose": "3-month check-in: is it meeting {{ first_name }}'s needs?"},
            {
                "offset": 182,
                "purpose": "Ask {{ first_name }} for a review or a referral, if they are happy",
            },
        ],
        "max_runs_per_contact": 1,
    },
    {
        "key": "repeat-purchase",
        "name": "Repeat purchase",
        "description": "They came back: thank them, and check in a month later.",
        "trigger": "purchase.made",
        "conditions": {"facts": [{"fact": "purchase_number", "op": ">=", "value": 2}]},
        "steps": [
            {
                "offset": 2,
                "purpose": "Thank {{ first_name }} for coming back (purchase "
                "{{ purchase_number }})",
            },
            {
                "offset": 30,
                "purpose": "How is {{ first_name }} getting on with their latest "
                "purchase? Share a tip from other customers",
            },
        ],
    },
    {
        "key": "service-interaction",
        "name": "Service interaction",
        "description": "After a visit to the service department, make sure all is well.",
        "trigger": "service.interaction",
        "steps": [
            {
                "offset": 3,
                "unit": "business_days",
                "channel": "call",
                "purpose": "Check the service went well for {{ first_name }}",
            },
        ],
    },
    {
        "key": "invoice-paid-on-time",
        "name": "Invoice paid on time (gold)",
        "description": "A thank-you to gold clients who pay on time.",
        "trigger": "invoice.paid",
        "conditions": {"tier": ["gold"], "facts": [{"fact": "days_late", "op": "<=", "value": 0}]},
        "steps": [
            {
                "offset": 1,
                "unit": "business_days",
                "purpose": "Thank {{ first_name }} for paying on time",
            },
        ],
    },
    {
        "key": "invoice-paid-late",
        "name": "Invoice paid late",
        "description": "A personal conversation about payment dates or method — never an "
        "automatic fee.",
        "trigger": "invoice.paid",
        "conditions": {
            "facts": [
                {"fact": "days_late", "op": ">", "value": 0},
                {"fact": "late_payments_12m", "op": "<=", "value": 1},
            ]
        },
        "steps": [
            {
                "offset": 1,
                "unit": "business_days",
                "channel": "call",
                "purpose": "Talk with {{ first_name }} about invoice {{ invoice_id }}, paid "
                "{{ days_late }} days late: would other payment dates or another method suit "
                "them better? No fee",
            },
        ],
    },
    {
        "key": "invoice-late-again",
        "name": "Late again within 12 months",
        "description": "The owner calls about terms when a client pays late a second time in "
        "a year.",
        "trigger": "invoice.paid",
        "conditions": {
            "facts": [
                {"fact": "days_late", "op": ">", "value": 0},
                {"fact": "late_payments_12m", "op": ">=", "value": 2},
            ]
        },
        "steps": [
            {
                "offset": 1,
                "unit": "business_days",
                "channel": "call",
                "assignee": "owner",
                "purpose": "Owner's call with {{ first_name }} about terms: "
                "{{ late_payments_12m }} late payments in 12 months",
            },
        ],
    },
    {
        "key": "invoice-overdue",
        "name": "Invoice overdue",
        "description": "A friendly personal word when an invoice is past due, unless it has "
        "been paid since.",
        "trigger": "invoice.overdue",
        "conditions": {"facts": [{"fact": "invoice_paid", "op": "==", "value": False}]},
        "steps": [
            {
                "offset": 1,
                "unit": "business_days",
                "channel": "call",
                "purpose": "Personal word with {{ first_name }} about invoice {{ invoice_id }}: "
                "did it reach the right person? Is another date or method easier?",
            },
        ],
    },
    {
        "key": "payment-failed",
        "name": "Payment failed",
        "description": "A payment attempt failed; help them fix it, unless it has been paid since.",
        "trigger": "invoice.payment_failed",
        "conditions": {"facts": [{"fact": "invoice_paid", "op": "==", "value": False}]},
        "steps": [
            {
                "offset": 1,
                "unit": "business_days",
                "purpose": "Help {{ first_name }} with the failed payment for invoice "
                "{{ invoice_id }}",
            },
        ],
    },
    {
        "key": "missed-purchase",
        "name": "Missed purchase",
        "description": "A regular buyer missed their usual rhythm: find out whether anything is "
        "wrong or their needs changed.",
        "trigger": "purchase.missed",
        "steps": [
            {
                "offset": 0,
                "unit": "business_days",
                "channel": "call",
                "purpose": "{{ first_name }} usually buys every {{ data.typical_days }} days; "
                "{{ data.days_since }} days since the last: is anything wrong?",
            },
        ],
        "stop_conditions": ["bought"],
    },
    {
        "key": "link-clicked",
        "name": "Link clicked",
        "description": "They read something you sent: follow up personally on that topic.",
        "trigger": "email.link_clicked",
        "steps": [
            {
                "offset": 1,
                "unit": "business_days",
                "purpose": "{{ first_name }} read “{{ data.title }}”: follow up personally on it",
            },
        ],
        "stop_conditions": ["replied", "bought"],
    },
    {
        "key": "need-expected",
        "name": "Project on hold / need expected",
        "description": "Not now is not never: revisit on the date they gave.",
        "trigger": "need.expected",
        "steps": [
            {
                "offset": 0,
                "anchor": "data.revisit_on",
                "purpose": "Revisit with {{ first_name }}: {{ data.note }}",
            },
        ],
    },
    {
        "key": "birthday-card",
        "name": "Birthday card",
        "description": "A card by mail, planned ahead so it arrives on time.",
        "trigger": "date.upcoming",
        "conditions": {"data": [{"field": "kind", "op": "==", "value": "birthday"}]},
        "steps": [
            {
                "offset": 0,
                "channel": "card",
                "purpose": "Birthday card for {{ first_name }} ({{ data.date }})",
            },
        ],
    },
    {
        "key": "client-anniversary",
        "name": "Client anniversary",
        "description": "Mark the anniversary of becoming a client.",
        "trigger": "date.upcoming",
        "conditions": {"data": [{"field": "kind", "op": "==", "value": "client_since"}]},
        "steps": [
            {
                "offset": 0,
                "channel": "note",
                "purpose": "Anniversary note: {{ data.years }} years as a client ({{ data.date }})",
            },
        ],
    },
    {
        "key": "keep-in-touch",
        "name": "Keep in touch",
        "description": "Past their cadence with nothing planned: a check-in that gives value.",
        "trigger": "contact.neglected",
        "steps": [
            {
                "offset": 0,
                "unit": "business_days",
                "channel": "preferred",
                "purpose": "Check in with {{ first_name }} after {{ data.days_untouched }} days: "
                "share something about {{ interest }}",
            },
        ],
    },
]

# The follow-up origin shown for engine-derived triggers.
ORIGIN_BY_TRIGGER = {
    "contact.neglected": "cadence",
    "date.upcoming": "date",
    "purchase.missed": "rhythm",
}
