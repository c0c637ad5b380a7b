"""`followthrough inbound`: receive replies by SMTP and log them (DESIGN C6).

Point a forwarding rule (or an MX record) at this receiver; messages to the workspace's reply
address (reply+<token>@…, shown on the account page) are matched to contacts by the sender's
address and logged as "they got in touch". Run it behind a mail relay or on a port the
firewall keeps private: it speaks plain SMTP and only accepts mail for reply addresses.
"""

import imaplib
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from followthrough.outreach.extras.imap import inbound_imap_fetch
from followthrough.outreach.extras.receiver import inbound_controller


class Command(BaseCommand):
    help = "Receive forwarded replies by SMTP and log them on the senders' timelines."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=2525, help="Port (default 2525).")
        parser.add_argument(
            "--imap-once",
            action="store_true",
            help="Instead: fetch the unread replies from FOLLOWTHROUGH_IMAP_URL once, then exit.",
        )

    def handle(self, *args: Any, host: str, port: int, imap_once: bool, **options: Any) -> None:
        if imap_once:
            self._imap_once()
            return
        controller = inbound_controller(host=host, port=port)
        try:
            controller.start()
        except (OSError, RuntimeError) as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from None
        self.stdout.write(f"Receiving replies by SMTP on {host}:{port}.", ending="\n")
        self.stdout.flush()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        controller.stop()
        self.stdout.write("Stopped.")

    def _imap_once(self) -> None:
        if not settings.IMAP_URL:
            raise CommandError("Set FOLLOWTHROUGH_IMAP_URL (imaps://user:password@host/INBOX).")
        try:
            outcome = inbound_imap_fetch(url=settings.IMAP_URL)
        except (OSError, ValueError, imaplib.IMAP4.error) as error:
            raise CommandError(f"Fetching by IMAP failed: {error}") from None
        counts = ", ".join(f"{n} {status}" for status, n in sorted(outcome.items()))
        self.stdout.write(f"Fetched by IMAP: {counts or 'nothing unread'}.")
