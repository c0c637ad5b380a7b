"""The SMTP receiver behind `followthrough inbound`: a forwarding rule in someone's mailbox (or an
MX record) points replies at it, and each accepted message is logged by inbound.py."""

import logging
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import connections

from followthrough.outreach.extras.inbound import (
    InboundStatus,
    inbound_message_receive,
    workspace_for_recipient,
)

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 10 * 1024 * 1024


# Each piece of database work ends by closing its connection, as a web request does: replies
# come a few an hour, and a connection held open between them would only go stale.


def _known_recipient(address: str) -> bool:
    try:
        return workspace_for_recipient(address) is not None
    finally:
        connections.close_all()


def _receive(raw: bytes, recipients: list[str]) -> InboundStatus:
    try:
        return inbound_message_receive(raw=raw, envelope_recipients=recipients).status
    finally:
        connections.close_all()


class InboundHandler:
    """aiosmtpd handler. The database work runs in Django's one sync thread (sync_to_async),
    never on the event loop, so a slow write does not stall other SMTP sessions' reads."""

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        # Refused here, not after DATA: the sending server then bounces to whoever set up the
        # forwarding, who learns at once that the address is wrong or was rotated.
        if not await sync_to_async(_known_recipient)(address):
            return "550 5.1.1 No such reply address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or envelope.content
        try:
            status = await sync_to_async(_receive)(bytes(raw), list(envelope.rcpt_tos))
        except Exception:
            log.exception("Could not log an inbound message")
            # 451: the sender keeps the message and tries again later; nothing is lost.
            return "451 4.3.0 Could not store the message; try again later"
        # Mail from someone who is not a contact yet is accepted too (they become a lead, with
        # their message logged): never bounced, which would tell a spammer which addresses exist.
        log.info("Inbound message from %s: %s", envelope.mail_from, status)
        return "250 Message accepted"


def inbound_controller(*, host: str, port: int) -> Controller:
    """A receiver on host:port (not started). `.start()` runs it in a thread; `.stop()` ends it."""
    return Controller(InboundHandler(), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
