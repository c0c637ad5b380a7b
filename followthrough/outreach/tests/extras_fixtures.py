"""Fixtures for the test_extras_* files: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps
what it receives, with Django's mail pointed at it; a small IMAP mailbox on 127.0.0.1 (no IMAP
server library is at hand, and the code under test is the imaplib client, not the server)."""

import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller

from followthrough.conftest import NOW


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpSink:
    """Keeps every message it is sent, as parsed email messages."""

    port: int = 0
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [m for _, m in self.received]


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield sink
    finally:
        controller.stop()


def body_text(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class _ImapSession(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 for imaplib's LOGIN, SELECT, UID SEARCH/FETCH/STORE and LOGOUT."""

    server: "ImapMailbox"

    def _send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self._send("* OK IMAP4rev1 test mailbox ready")
        for raw_line in self.rfile:
            tag, command, *args = raw_line.decode().strip().split(" ")
            verb = command.upper()
            if verb == "UID":
                self._uid(tag, args[0].upper(), args[1:])
                continue
            if verb == "CAPABILITY":
                self._send("* CAPABILITY IMAP4rev1")
            elif verb == "LOGIN" and args[1].strip('"') != self.server.password:
                self._send(f"{tag} NO [AUTHENTICATIONFAILED] wrong password")
                continue
            elif verb == "SELECT":
                self._send(f"* {len(self.server.messages)} EXISTS")
            elif verb == "LOGOUT":
                self._send("* BYE")
                self._send(f"{tag} OK done")
                return
            self._send(f"{tag} OK {verb} done")

    def _uid(self, tag: str, verb: str, args: list[str]) -> None:
        box = self.server.messages
        if verb == "SEARCH":
            unseen = " ".join(str(uid) for uid, (_, seen) in box.items() if not seen)
            self._send(f"* SEARCH {unseen}".rstrip())
        elif verb == "FETCH":
            uid = int(args[0])
            raw = box[uid][0]
            self._send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}".encode())
            self.wfile.write(raw)
            self._send(")")
        elif verb == "STORE":
            uid = int(args[0])
            box[uid] = (box[uid][0], True)
            self._send(f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))")
        self._send(f"{tag} OK UID {verb} done")


class ImapMailbox(socketserver.ThreadingTCPServer):
    """A mailbox on 127.0.0.1 for the IMAP fetch test: uid → (raw message, seen)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, password: str) -> None:
        super().__init__(("127.0.0.1", 0), _ImapSession)
        self.password = password
        self.messages: dict[int, tuple[bytes, bool]] = {}

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@pytest.fixture
def imap_mailbox() -> Iterator[ImapMailbox]:
    mailbox = ImapMailbox(password="s3cret")
    thread = threading.Thread(target=mailbox.serve_forever, daemon=True)
    thread.start()
    try:
        yield mailbox
    finally:
        mailbox.shutdown()
        mailbox.server_close()
