"""Start-up checks for outreach settings that would quietly make campaign email worse."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@checks.register()
def base_url_is_https(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Campaign email goes out over SMTP, but its List-Unsubscribe address is not https://:
    mail programs offer RFC 8058's one-click unsubscribe only for an HTTPS address, and some
    providers then treat the mail as bulk without an easy way out."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND or urlsplit(settings.BASE_URL).scheme == "https":
        return []
    return [
        checks.Warning(
            f"FOLLOWTHROUGH_BASE_URL is {settings.BASE_URL}, so campaign email carries an "
            "http:// List-Unsubscribe address, which mail programs do not offer as one-click "
            "unsubscribe (RFC 8058).",
            hint="Set FOLLOWTHROUGH_BASE_URL to the https:// address people reach this site at.",
            id="followthrough.W001",
        )
    ]
