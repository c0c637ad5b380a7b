from datetime import date

import pytest
from django.core.exceptions import ValidationError

from followthrough.accounts.services import workspace_update


def test_it_changes_the_given_settings(workspace) -> None:
    workspace_update(workspace=workspace, fields={
        "name": "  Spoke & Chain ", "timezone": "Europe/Paris", "date_lead_days": 10,
        "holidays": ["2026-12-25", date(2026, 12, 24), "2026-12-25"], "cadence_gold_days": 14,
    })

    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone) == ("Spoke & Chain", "Europe/Paris")
    assert workspace.holidays == ["2026-12-24", "2026-12-25"]
    assert workspace.holiday_dates() == {date(2026, 12, 24), date(2026, 12, 25)}
    assert (workspace.date_lead_days, workspace.cadence_gold_days) == (10, 14)
    assert workspace.cadence_silver_days == 60  # untouched


def test_it_names_every_bad_field_and_saves_nothing(workspace) -> None:
    with pytest.raises(ValidationError) as caught:
        workspace_update(workspace=workspace, fields={
            "name": "", "timezone": "Mars/Olympus", "holidays": ["25/12/2026"],
            "date_lead_days": 0, "cadence_other_days": -5, "cadence_bronze_days": True,
            "default_region": "FR",
        })

    assert set(caught.value.message_dict) == {
        "name", "timezone", "holidays", "date_lead_days", "cadence_other_days",
        "cadence_bronze_days", "default_region",
    }
    assert "“25/12/2026” is not a date" in caught.value.message_dict["holidays"][0]
    workspace.refresh_from_db()
    assert workspace.name == "Spoke & Chain Cycles" and workspace.timezone == "America/New_York"
