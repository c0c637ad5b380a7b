"""Stripe and Shopify signatures: valid, tampered, stale and rotated."""

import pytest

from followthrough.core.signatures import shopify_sign, shopify_verify, stripe_sign, stripe_verify

BODY = b'{"id": "evt_1", "type": "invoice.paid"}'
NOW = 1_800_000_000


def stripe_header(secret: str, *, t: int = NOW, body: bytes = BODY) -> str:
    return f"t={t},v1={stripe_sign(secret=secret, body=body, timestamp=t)}"


@pytest.mark.parametrize(
    ("header", "body", "now", "expected"),
    [
        (stripe_header("whsec_new"), BODY, NOW, "whsec_new"),
        # Within the tolerance either side of our clock.
        (stripe_header("whsec_new", t=NOW - 299), BODY, NOW, "whsec_new"),
        (stripe_header("whsec_new", t=NOW + 299), BODY, NOW, "whsec_new"),
        # Stale: a captured request replayed six minutes later.
        (stripe_header("whsec_new", t=NOW - 301), BODY, NOW, None),
        # Tampered body.
        (stripe_header("whsec_new"), BODY + b" ", NOW, None),
        # Signed with a secret we do not have.
        (stripe_header("whsec_other"), BODY, NOW, None),
        # During rotation: signed with the previous secret, still accepted.
        (stripe_header("whsec_old"), BODY, NOW, "whsec_old"),
        # Several v1 values (Stripe rolling its secret): any valid one is enough.
        (
            f"t={NOW},v1=deadbeef,v1={stripe_sign(secret='whsec_new', body=BODY, timestamp=NOW)}",
            BODY,
            NOW,
            "whsec_new",
        ),
        # A v0 signature alone (Stripe's test scheme) is not accepted.
        (
            f"t={NOW},v0={stripe_sign(secret='whsec_new', body=BODY, timestamp=NOW)}",
            BODY,
            NOW,
            None,
        ),
        ("", BODY, NOW, None),
        ("t=abc,v1=00", BODY, NOW, None),
    ],
)
def test_stripe(header, body, now, expected) -> None:
    assert (
        stripe_verify(header=header, body=body, secrets=["whsec_new", "whsec_old"], now=now)
        == expected
    )


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [
        (shopify_sign(secret="shpss_new", body=BODY), BODY, "shpss_new"),
        (shopify_sign(secret="shpss_old", body=BODY), BODY, "shpss_old"),  # rotated
        (shopify_sign(secret="shpss_new", body=BODY), BODY + b"x", None),  # tampered
        (shopify_sign(secret="shpss_evil", body=BODY), BODY, None),
        ("", BODY, None),
    ],
)
def test_shopify(header, body, expected) -> None:
    assert shopify_verify(header=header, body=body, secrets=["shpss_new", "shpss_old"]) == expected


def test_an_empty_secret_never_matches() -> None:
    assert stripe_verify(header=stripe_header(""), body=BODY, secrets=[""], now=NOW) is None
    assert (
        shopify_verify(header=shopify_sign(secret="", body=BODY), body=BODY, secrets=[""]) is None
    )
