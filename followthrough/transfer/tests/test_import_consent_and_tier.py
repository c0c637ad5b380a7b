"""Source, tier, "client since" and marketing consent come in with the people an import creates;
a value the importer cannot read rejects its row and names the column."""

from collections.abc import Callable
from datetime import UTC, datetime

import time_machine

from followthrough.conftest import NOW
from followthrough.transfer.models import ImportJob
from followthrough.transfer.tests.conftest import by_email

Run = Callable[..., ImportJob]

FILE = b"""Name,Email,Lead source,Tier,Customer since,Accepts marketing,Consent date
Dana Rider,dana@example.com,Walk-in,Gold,2019-03-01,yes,2025-06-01
Ann Lee,ann@example.com,Trade show,silver,,no,
Bo Chen,bo@example.com,,platinum,,maybe,
"""


def test_it_reads_source_tier_client_since_and_consent_with_its_evidence(run_import: Run) -> None:
    with time_machine.travel(NOW, tick=False):
        job = run_import(name="book.csv", data=FILE)

    assert job.mapping[2:] == ["source", "tier", "client_since", "marketing_consent", "consent_at"]
    dana = by_email("dana@example.com")
    assert (dana.source, dana.tier, dana.marketing_consent) == ("walk_in", "gold", True)
    assert dana.consent_at == datetime(2025, 6, 1, 16, 0, tzinfo=UTC)  # noon in New York
    assert dana.consent_method == "import" and "imported file" in dana.consent_wording
    assert [(d.kind, d.year, d.month, d.day) for d in dana.dates.all()] == [
        ("client_since", 2019, 3, 1)
    ]
    ann = by_email("ann@example.com")
    assert (ann.source, ann.tier, ann.marketing_consent, ann.consent_at) == (
        "import",
        "silver",
        False,
        None,
    )
    assert "Source: Trade show" in ann.notes  # a source we have no name for is kept, not lost
    [bo] = job.rejected_rows.all()
    assert bo.reasons == [
        {"column": "Tier", "message": "unknown tier “platinum” (use gold, silver or bronze)"},
        {"column": "Accepts marketing", "message": "“maybe”: write yes or no"},
    ]


def test_consent_without_a_date_is_dated_the_moment_of_the_import(run_import: Run) -> None:
    data = b"Name,Email,Marketing consent\nDana Rider,dana@example.com,TRUE\n"
    with time_machine.travel(NOW, tick=False):
        run_import(name="book.csv", data=data)
    assert by_email("dana@example.com").consent_at == NOW
