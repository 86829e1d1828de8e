"""What the reminders' tests share: a real SMTP server, a stand-in SMS provider, and a booked person."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from domain.appointment import Appointment, AppointmentKind
from domain.consent import Evidence, Purpose
from domain.person import ContactDetails, PersonDetails
from domain.reminder import Channel
from service.application.consent import GiveConsent, give_consent
from service.application.context import Actor, ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.reminders.scheduler import Schedule
from service.reminders.sender import Retries, Sender
from service.reminders.transports import SmsGateway, SmtpTransport, Transport

EMAIL = "amina.benali@example.be"
PHONE = "+32470123456"
ADDRESS = "Rue Saint-Gilles 42, 4000 Liège"
SCHEDULE = Schedule(days_before=1, hour=10, address=ADDRESS)
SENSITIVE = ("social", "juridique", "cpas", "sophie", "lambert", "dossier", "logement", "expulsion")
"""Never in a reminder: the service, the staff member (Sophie Lambert), the case (an eviction)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Inbox:
    def __init__(self, on_message: Any = None) -> None:
        self.messages: list[EmailMessage] = []
        self.on_message = on_message

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))  # type: ignore[arg-type]
        if self.on_message is not None:
            self.on_message()
        return "250 OK"


@dataclass
class SmtpServer:
    """aiosmtpd on a free local port, keeping every message it receives."""

    on_message: Any = None
    inbox: _Inbox = field(init=False)
    controller: Controller = field(init=False)

    def __post_init__(self) -> None:
        self.inbox = _Inbox(self.on_message)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def transport(self) -> SmtpTransport:
        return SmtpTransport("127.0.0.1", self.port, "none", "rappels@centre.example", timeout=10)


@dataclass
class SmsProvider:
    """A local HTTP server standing in for the SMS provider: records each request, answers ``status``."""

    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer = field(init=False)

    def __enter__(self) -> SmsProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.requests.append({"headers": dict(self.headers), "body": json.loads(body)})
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "provider-1"}')

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/messages"

    def transport(self) -> SmsGateway:
        return SmsGateway(self.url, "test-token", "Centre", timeout=10)


def sender(ctx: ApplicationContext, email: Transport | None, sms: Transport | None, **options: Any) -> Sender:
    retries = options.pop("retries", Retries(attempts=3))
    return Sender(ctx.pool, ctx.repository, {Channel.EMAIL: email, Channel.SMS: sms}, ctx.clock, retries, **options)


async def person_with_consents(
    ctx: ApplicationContext, actor: Actor, *purposes: Purpose, language: str | None = "fr"
) -> UUID:
    details = PersonDetails(
        given_name="Amina",
        family_name="Benali",
        languages=("fr", "en") if language else (),
        preferred_language=language,
        contact=ContactDetails(phone=PHONE, email=EMAIL),
    )
    person_id = (await register_person(ctx, actor, RegisterPerson(details))).person_id
    for purpose in purposes:
        await give_consent(ctx, actor, GiveConsent(person_id, purpose, Evidence.SIGNED_FORM))
    return person_id


async def book(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    starts_at: datetime,
    kind: AppointmentKind = AppointmentKind.SOCIAL_LEGAL,
) -> UUID:
    """An appointment as its aggregate records it (the appointments' own commands are another area's)."""
    appointment = Appointment.book(
        uuid4(), kind, person_id, actor.staff_id, "Liège centre", starts_at, 45, ctx.clock(), actor.staff_id
    )
    await ctx.repository.save(appointment, actor_id=actor.staff_id)
    return appointment.id
