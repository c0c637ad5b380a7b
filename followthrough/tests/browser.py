"""What the browser tests share: Debian's Chromium (never `playwright install`), the window sizes
looked at, logging in through the real form, and screenshots for a person to look at afterwards
(in /tmp/ft-shots unless FOLLOWTHROUGH_SHOTS_DIR says otherwise). The `browser` fixture itself
is in followthrough/conftest.py."""

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from followthrough.accounts.models import User
from followthrough.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests are
# still plain synchronous calls, so Django's async guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(os.environ.get("FOLLOWTHROUGH_SHOTS_DIR", Path(tempfile.gettempdir()) / "ft-shots"))
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# A browser test module says `pytestmark = BROWSER`.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]


def log_in(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page: Any, name: str) -> None:
    """A full-page screenshot from the top (a page scrolled while filling a form would draw the
    sticky bar mid-page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
