"""The owner's morning in the default book stays one a person can get through, engine included."""

import pytest

from followthrough.activity.selectors import agenda_get
from followthrough.conftest import NOW
from followthrough.demo.plan import BOOK_SIZE
from followthrough.demo.services import demo_workspace_create

pytestmark = pytest.mark.django_db


def test_the_owners_morning_fits_in_a_coffee() -> None:
    # NOW is a Monday: the engine also plans what came in over the weekend.
    demo = demo_workspace_create(contacts=BOOK_SIZE, seed=1, now=NOW)
    owner = demo.owner
    mine = agenda_get(workspace=demo.workspace, user=owner, now=NOW, tz_name=owner.local_timezone)
    assert 4 <= mine.overdue.total <= 8
    assert 6 <= mine.today.total <= 12
    assert 8 <= mine.upcoming.total <= 20
    planned_by_the_engine = [f for f in mine.today.followups if f.run_id is not None]
    assert 3 <= len(planned_by_the_engine) < mine.today.total
