"""How a message leaves: SMTP (aiosmtplib, STARTTLS or TLS, optional auth) or the log (development)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from advocacy.settings import Settings

log = logging.getLogger("advocacy.mail")

BeforeData = Callable[[], Awaitable[None]]


class MailRefused(Exception):
    """The server refused the message: `permanent` for a 5xx answer, else worth trying again later."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    async def send(self, message: EmailMessage, *, before_data: BeforeData) -> None:
        """Send `message`; `before_data` runs once the server has accepted sender and recipient, right before
        the message itself goes (after it, the server may have the message even if we never hear back)."""


_LINK = re.compile(r"https?://[^\s<>\"']+")


class LogTransport:
    """Development: each message is written to the log with its links (nothing leaves the machine)."""

    async def send(self, message: EmailMessage, *, before_data: BeforeData) -> None:
        await before_data()
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        links = _LINK.findall(text)
        # str(): the headers are email.headerregistry objects, which the JSON log cannot encode
        to, subject = str(message["To"]), str(message["Subject"])
        log.info(
            "mail not sent (MAIL_TRANSPORT=log): %s → %s; links: %s",
            subject,
            to,
            " ".join(links) or "none",
            extra={"to": to, "subject": subject, "links": links},
        )


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout_seconds,
            cert_bundle=s.smtp_ca_file or None,
        )

    async def send(self, message: EmailMessage, *, before_data: BeforeData) -> None:
        client = self._client()
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            # A wrong SMTP_PASSWORD is fixed by an operator: the message waits (and retries) meanwhile.
            raise MailRefused(
                f"SMTP authentication failed: {exc.code} {exc.message}", permanent=False
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailRefused(f"cannot reach the SMTP server: {exc}", permanent=False) from exc
        try:
            try:
                await client.mail(_address(message["From"]))
                await client.rcpt(_address(message["To"]))
                await before_data()
                await client.data(message.as_bytes())
            except aiosmtplib.SMTPResponseException as exc:
                raise MailRefused(f"{exc.code} {exc.message}", permanent=500 <= exc.code < 600) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                raise MailRefused(f"the SMTP conversation failed: {exc}", permanent=False) from exc
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def _address(header: str) -> str:
    from email.utils import parseaddr

    return parseaddr(header)[1]


def transport_from_settings(settings: Settings) -> Transport:
    if settings.mail_transport == "smtp":
        return SmtpTransport(settings)
    return LogTransport()
