"""Fixtures for the outbox tests: a real SMTP server (aiosmtpd on 127.0.0.1) that records what
it accepted and when, and can answer 4xx/5xx for chosen recipients; a bulk audience; a template,
segment and campaign ready to start."""

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from followthrough.accounts.models import Workspace
from followthrough.outreach.models import Campaign, EmailTemplate, Segment
from followthrough.outreach.services import campaign_create, segment_create, template_create
from followthrough.people.models import Contact, ContactEmail


@dataclass
class Received:
    at: float
    rcpt: str
    raw: bytes

    @property
    def message(self) -> Message:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SinkHandler:
    """Accepts everything except the answers queued in `replies[address]` (e.g. ["451 …"],
    used once each, or "550 …" for ever)."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, Any] = field(default_factory=dict)
    refusals: Counter[str] = field(default_factory=Counter)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: int = 0  # SMTP conversations opened (EHLO/HELO), to see connections reused

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        reply = self.replies.get(address)
        if isinstance(reply, list) and reply:
            self.refusals[address] += 1
            return str(reply.pop(0))
        if isinstance(reply, str):
            self.refusals[address] += 1
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            time.sleep(self.delay)  # a slow server: keeps a batch in flight for the kill test
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append(Received(time.time(), rcpt, envelope.content))
        return "250 Message accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def recipients(self) -> Counter[str]:
        with self.lock:
            return Counter(r.rcpt for r in self.received)


@dataclass
class SmtpServer:
    handler: SinkHandler
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server, and Django's email pointed at it (as FOLLOWTHROUGH_EMAIL_URL does)."""
    handler = SinkHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="sink.test")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Followthrough <news@spokechain.test>"
    settings.BASE_URL = "https://crm.spokechain.test"
    settings.SEND_RATE = 10000.0
    settings.OUTBOX_RETRY_SECONDS = 60.0
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()


def audience(
    workspace: Workspace, n: int, *, consent: bool = True, prefix: str = "rider"
) -> list[Contact]:
    """n clients with an email address each (bulk: a 1,000-recipient test stays quick)."""
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                workspace=workspace,
                first_name=f"R{i}",
                last_name="Rider",
                stage="client",
                marketing_consent=consent,
            )
            for i in range(n)
        ]
    )
    ContactEmail.objects.bulk_create(
        [
            ContactEmail(
                workspace=workspace, contact=c, email=f"{prefix}{i}@example.test", is_primary=True
            )
            for i, c in enumerate(contacts)
        ]
    )
    return contacts


NEWSLETTER_HTML = (
    '<p>Hi {{ first_name }},</p><p>Our winter <a href="https://shop.example.test/rides?m=12">'
    "ride calendar</a> is out.</p>"
)


@pytest.fixture
def newsletter(workspace: Workspace) -> EmailTemplate:
    workspace.postal_address = "12 Spoke Street\nPortland, OR 97201"
    workspace.save(update_fields=["postal_address"])
    return template_create(
        workspace=workspace,
        fields={
            "name": "Monthly news",
            "subject": "Rides for {{ first_name }}",
            "body_html": NEWSLETTER_HTML,
            "body_text": "",
        },
    )


@pytest.fixture
def clients_segment(workspace: Workspace) -> Segment:
    return segment_create(workspace=workspace, name="Clients", filters={"stages": ["client"]})


@pytest.fixture
def make_campaign(
    workspace: Workspace, alice: Any, newsletter: EmailTemplate, clients_segment: Segment
) -> Callable[..., Campaign]:
    def make(**kwargs: Any) -> Campaign:
        return campaign_create(
            workspace=workspace,
            by=alice,
            name=kwargs.pop("name", "News"),
            template=newsletter,
            segment=clients_segment,
            **kwargs,
        )

    return make


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
