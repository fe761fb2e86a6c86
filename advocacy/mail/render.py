"""Messages in the reader's language: Jinja templates (text and HTML) over the gettext catalogues."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import jinja2

from advocacy.core.i18n import install_jinja, lazy_gettext, translate
from advocacy.mail.schemas import MailRow, Rendered

TEMPLATES = Path(__file__).parent / "templates"

SUBJECTS = {
    "invitation": lazy_gettext("You are invited to Advocacy"),
    "password_reset": lazy_gettext("Reset your Advocacy password"),
    "password_changed": lazy_gettext("Your Advocacy password was changed"),
}


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    install_jinja(env)  # templates speak the `language` of their context
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    env = _environment()
    subject = translate(SUBJECTS[kind], language)
    values = {**context, "language": language, "subject": subject}
    return Rendered(
        subject=subject,
        text=env.get_template(f"{kind}.txt").render(values),
        html=env.get_template(f"{kind}.html").render(values),
    )


def build_message(row: MailRow, rendered: Rendered, *, sender: str) -> EmailMessage:
    """The message with the headers a well-behaved automatic sender gives (RFC 5322, RFC 3834)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    # Fixed when the row was queued: a retried message keeps its id, so a receiver can tell a repeat.
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    # Exchange and Outlook: no out-of-office or other automatic replies to this
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    # after the body: set_content drops every Content-* header already there
    message["Content-Language"] = row.language
    return message
