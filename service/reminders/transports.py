"""How a reminder leaves the centre: email over SMTP, SMS through an HTTP gateway.

Each transport sends one message with the reminder's delivery id, so that the provider can
deduplicate a message sent twice (a sender that died after sending but before recording):
for email the ``Message-ID`` and an ``X-Suivi-Delivery-Id`` header, for SMS the request's
``reference`` and an ``Idempotency-Key`` header. Each answers what happened, as a word the
sender records (:class:`Sent`, :class:`TryLater`, :class:`Refused`), never the provider's text,
which may quote the address.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Literal, Protocol

import httpx

from domain.reminder import Channel
from service.reminders.messages import Message
from service.settings import Settings


@dataclass(frozen=True)
class Sent:
    pass


@dataclass(frozen=True)
class TryLater:
    """The provider could not be reached, or failed on its side: the same message may go later."""


@dataclass(frozen=True)
class Refused:
    """The provider refused this message (its address or number): sending it again will not help."""


Result = Sent | TryLater | Refused


class Transport(Protocol):
    async def send(self, recipient: str, message: Message, delivery_id: str) -> Result: ...


def message_id(delivery_id: str, sender: str) -> str:
    """``<delivery id@the sender's domain>``: the same on every attempt of one reminder."""
    domain = sender.rpartition("@")[2] or "suivi.invalid"
    return f"<{delivery_id}@{domain}>"


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    tls: Literal["starttls", "tls", "none"]
    sender: str
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    async def send(self, recipient: str, message: Message, delivery_id: str) -> Result:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = recipient
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message_id(delivery_id, self.sender)
        email["X-Suivi-Delivery-Id"] = delivery_id
        email.set_content(message.text)
        # smtplib blocks: one worker thread per message keeps the event loop free.
        return await asyncio.to_thread(self._send, email)

    def _send(self, email: EmailMessage) -> Result:
        try:
            with self._connect() as smtp:
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused:
            return Refused()
        except smtplib.SMTPResponseException as error:
            return Refused() if 500 <= error.smtp_code < 600 else TryLater()
        except (smtplib.SMTPException, OSError):
            return TryLater()
        return Sent()

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


@dataclass(frozen=True)
class SmsGateway:
    """A JSON ``POST {"from", "to", "text", "reference"}`` with a Bearer token: the shape most providers take."""

    url: str
    token: str | None
    sender: str
    timeout: float = 30.0

    async def send(self, recipient: str, message: Message, delivery_id: str) -> Result:
        headers = {"Idempotency-Key": delivery_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"from": self.sender, "to": recipient, "text": message.text, "reference": delivery_id}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError:
            return TryLater()
        if answer.is_success or answer.status_code == 409:
            return Sent()  # 409: the provider holds a message with this idempotency key already
        if answer.status_code in (408, 425, 429) or answer.status_code >= 500:
            return TryLater()
        return Refused()


def transports_from(settings: Settings) -> dict[Channel, Transport | None]:
    """The centre's transports; a channel left unconfigured (no host, no URL) has none."""
    email: Transport | None = None
    if settings.smtp_host:
        email = SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_tls,
            settings.smtp_sender,
            settings.smtp_username,
            settings.smtp_password,
        )
    sms: Transport | None = None
    if settings.sms_gateway_url:
        sms = SmsGateway(settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_sender)
    return {Channel.EMAIL: email, Channel.SMS: sms}
