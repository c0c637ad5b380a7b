"""Fetching replies by IMAP (optional; FOLLOWTHROUGH_IMAP_URL), for a business that would rather
point its reply address at an ordinary mailbox than run `followthrough inbound`.

imaps://user:password@host[:port][/MAILBOX] (TLS) or imap://… (plain, for a local server).
Unread messages are logged by inbound.py and then marked read; a message that fails is left
unread for the next run. Logging is idempotent on the Message-ID, so a message fetched twice
(a crash between logging and marking it read) is logged once.
"""

import imaplib
import logging
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from followthrough.outreach.extras.inbound import inbound_message_receive

log = logging.getLogger(__name__)
MAX_PER_RUN = 200


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    mailbox: str
    tls: bool


def imap_settings_parse(url: str) -> ImapSettings:
    """ValueError naming what is wrong with the URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"}:
        raise ValueError("FOLLOWTHROUGH_IMAP_URL must start with imaps:// (or imap://).")
    if not parts.hostname or not parts.username:
        raise ValueError("FOLLOWTHROUGH_IMAP_URL needs a user and a host: imaps://user:pw@host.")
    tls = parts.scheme == "imaps"
    return ImapSettings(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
    )


def _connect(config: ImapSettings) -> imaplib.IMAP4:
    if config.tls:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(config.host, config.port, timeout=30)
    else:
        client = imaplib.IMAP4(config.host, config.port, timeout=30)
    client.login(config.user, config.password)
    return client


def _raw_message(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK, not RFC822: fetching must not mark the message read before it is logged.
    status, data = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None


def inbound_imap_fetch(*, url: str) -> Counter[str]:
    """Log the mailbox's unread messages; returns how many ended in each InboundStatus."""
    config = imap_settings_parse(url)
    outcome: Counter[str] = Counter()
    client = _connect(config)
    try:
        client.select(config.mailbox)
        _, found = client.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").split()[:MAX_PER_RUN]:
            raw = _raw_message(client, uid)
            if raw is None:
                continue
            try:
                outcome[str(inbound_message_receive(raw=raw).status)] += 1
            except Exception:
                log.exception("Could not log IMAP message %s; left unread", uid)
                continue
            client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return outcome
