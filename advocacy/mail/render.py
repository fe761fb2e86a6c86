"""Messages in the reader's language: Jinja templates (text and HTML) over the gettext catalogues."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import jinja2

from advocacy.identity.i18n import gettext_for
from advocacy.mail.schemas import MailRow, Rendered

TEMPLATES = Path(__file__).parent / "templates"

# msgids: translated in advocacy/identity/locale
SUBJECTS: dict[str, str] = {
    "invitation": "You are invited to Advocacy",
    "password_reset": "Reset your Advocacy password",
    "password_changed": "Your Advocacy password was changed",
}


@functools.cache
def _environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(gettext_for(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    env = _environment(language)
    subject = gettext_for(language).gettext(SUBJECTS[kind])
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
