"""Signed per-recipient tokens for the public links in an email: /u/<token> and /t/<token>.

A token names an outbox row (and, for a click, the link's index) and carries an HMAC of that
under SECRET_KEY with its own salt, so a tampered or made-up token is refused and a click token
cannot be used to unsubscribe. The HMAC is cut to 128 bits to keep the links (and the
List-Unsubscribe header) short. The link targets come from the database, never from the token.
"""

import base64

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_UNSUBSCRIBE = "followthrough.outreach.unsubscribe"
_CLICK = "followthrough.outreach.click"


def _mac(salt: str, value: str) -> str:
    digest = salted_hmac(salt, value, algorithm="sha256").digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _sign(salt: str, value: str) -> str:
    return f"{value}.{_mac(salt, value)}"  # the MAC has no "."


def _unsign(salt: str, token: str) -> str | None:
    value, _, mac = token.rpartition(".")
    return value if value and constant_time_compare(mac, _mac(salt, value)) else None


def unsubscribe_token(message_id: int) -> str:
    return _sign(_UNSUBSCRIBE, str(message_id))


def unsubscribe_url(message_id: int) -> str:
    """The one-click link; https whenever BASE_URL is https (RFC 8058 wants an HTTPS URI)."""
    return f"{settings.BASE_URL}/u/{unsubscribe_token(message_id)}"


def click_url(message_id: int, index: int) -> str:
    return f"{settings.BASE_URL}/t/{_sign(_CLICK, f'{message_id}.{index}')}"


def unsubscribe_token_read(token: str) -> int | None:
    """The outbox row id a genuine token names, or None."""
    value = _unsign(_UNSUBSCRIBE, token)
    return int(value) if value and value.isdigit() else None


def click_token_read(token: str) -> tuple[int, int] | None:
    """(outbox row id, link index) for a genuine click token, or None."""
    value = _unsign(_CLICK, token)
    if not value:
        return None
    message_id, _, index = value.partition(".")
    if not (message_id.isdigit() and index.isdigit()):
        return None
    return int(message_id), int(index)
