"""Webhook signature checks (Stripe, Shopify). Pure functions: the caller passes the clock."""

import base64
import hashlib
import hmac
from collections.abc import Iterable

STRIPE_TOLERANCE_SECONDS = 300


def stripe_sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The v1 signature Stripe would send: hex HMAC-SHA256 of "{t}.{raw body}"."""
    payload = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def stripe_verify(
    *,
    header: str,
    body: bytes,
    secrets: Iterable[str],
    now: float,
    tolerance: int = STRIPE_TOLERANCE_SECONDS,
) -> str | None:
    """The secret that signed this delivery, or None.

    The header carries a timestamp and one or more v1 signatures (several while Stripe rolls a
    secret). Every v1 value is compared with every candidate secret in constant time; a timestamp
    outside the tolerance is refused whatever the signature, so a captured request cannot be
    replayed later.
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures or abs(now - timestamp) > tolerance:
        return None
    for secret in secrets:
        if not secret:
            continue
        expected = stripe_sign(secret=secret, body=body, timestamp=timestamp)
        if any(hmac.compare_digest(expected, s) for s in signatures):
            return secret
    return None


def shopify_sign(*, secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def shopify_verify(*, header: str, body: bytes, secrets: Iterable[str]) -> str | None:
    """The secret whose base64 HMAC-SHA256 of the raw body equals the header, or None."""
    for secret in secrets:
        if secret and hmac.compare_digest(shopify_sign(secret=secret, body=body), header.strip()):
            return secret
    return None
