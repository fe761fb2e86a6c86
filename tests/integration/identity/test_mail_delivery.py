"""Outgoing mail through the outbox, against a real SMTP server: delivered once with the right headers in
the reader's language, retried after a 4xx, parked after a 5xx, never sent twice when a worker dies."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from advocacy.db.pool import Database
from advocacy.logs import JsonFormatter
from advocacy.mail import service as mail
from advocacy.mail.schemas import Recipient
from advocacy.outbox.service import run_row
from advocacy.settings import Settings
from tests.factories import Factory
from tests.integration.identity.smtp import self_signed_certificate, smtp_server
from workers.jobs import outbox_handlers

ROOT = Path(__file__).parents[3]


def smtp_settings(settings: Settings, port: int, **extra: Any) -> Settings:
    return settings.replace(
        **{
            "mail_transport": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_timeout_seconds": 10,
            **extra,
        }
    )


async def queue_notice(
    db: Database, settings: Settings, person_id: int, email: str, language: str = "fr"
) -> int:
    async with db.transaction() as conn:
        [mail_id] = await mail.queue(
            conn,
            settings,
            "password_changed",
            [Recipient(person_id=person_id, to_address=email, language=language)],  # type: ignore[arg-type]
            {"display_name": "Ana", "link": f"{settings.base_url}/password/forgot"},
        )
    return mail_id


async def outbox_row_of(db: Database, mail_id: int) -> int:
    async with db.connection() as conn:
        row_id: int = await conn.fetchval("SELECT id FROM outbox WHERE dedupe_key = $1", f"mail:{mail_id}")
    return row_id


async def mail_status(db: Database, mail_id: int) -> str:
    async with db.connection() as conn:
        status: str = await conn.fetchval("SELECT status FROM mail_messages WHERE id = $1", mail_id)
    return status


async def run(db: Database, settings: Settings, row_id: int) -> str:
    ctx: dict[str, Any] = {"db": db, "side_db": db, "settings": settings}
    return await run_row(db, row_id, outbox_handlers(), ctx, max_attempts=5)


async def test_a_message_is_delivered_once_in_the_readers_language_with_proper_headers(
    db: Database, settings: Settings, factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com", language="fr")
    with smtp_server() as (mailbox, port):
        local = smtp_settings(settings, port)
        mail_id = await queue_notice(db, local, ana.person_id, "ana@example.com")
        row_id = await outbox_row_of(db, mail_id)
        assert await run(db, local, row_id) == "done"
        assert await run(db, local, row_id) == "done"  # a duplicate delivery of the job sends nothing
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    async with db.connection() as conn:
        stored = await conn.fetchrow(
            "SELECT message_id, status, sent_at FROM mail_messages WHERE id = $1", mail_id
        )
    assert message["Message-ID"] == stored["message_id"] and stored["message_id"].endswith("@127.0.0.1>")
    assert stored["status"] == "sent" and stored["sent_at"] is not None
    assert message["Auto-Submitted"] == "auto-generated"
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert (
        message["To"] == "ana@example.com"
        and message["Subject"] == "Votre mot de passe Advocacy a été modifié"
    )
    assert message["Content-Language"] == "fr"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Bonjour Ana" in text.get_content() and "/password/forgot" in text.get_content()
    assert '<html lang="fr">' in html.get_content()


async def test_an_english_reader_gets_the_english_text(
    db: Database, settings: Settings, factory: Factory
) -> None:
    bob = await factory.person(email="bob@example.com", language="en")
    with smtp_server() as (mailbox, port):
        local = smtp_settings(settings, port)
        mail_id = await queue_notice(db, local, bob.person_id, "bob@example.com", language="en")
        assert await run(db, local, await outbox_row_of(db, mail_id)) == "done"
    assert mailbox.messages[0]["Subject"] == "Your Advocacy password was changed"


async def test_a_temporary_refusal_is_retried_and_the_message_arrives_once(
    db: Database, settings: Settings, factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com")
    with smtp_server() as (mailbox, port):
        mailbox.refuse_data = ["451 4.3.0 Try again later"]
        local = smtp_settings(settings, port)
        mail_id = await queue_notice(db, local, ana.person_id, "ana@example.com")
        row_id = await outbox_row_of(db, mail_id)
        assert await run(db, local, row_id) == "failed"
        async with db.connection() as conn:
            row = await conn.fetchrow("SELECT status, last_error FROM outbox WHERE id = $1", row_id)
        assert row["status"] == "pending" and "451" in row["last_error"]
        assert await mail_status(db, mail_id) == "queued"
        assert await run(db, local, row_id) == "done"
    assert len(mailbox.messages) == 1
    assert await mail_status(db, mail_id) == "sent"


async def test_a_permanent_refusal_parks_the_message_at_once(
    db: Database, settings: Settings, factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com")
    with smtp_server() as (mailbox, port):
        mailbox.refuse_rcpt = "550 5.1.1 No such user here"
        local = smtp_settings(settings, port)
        mail_id = await queue_notice(db, local, ana.person_id, "ana@example.com")
        row_id = await outbox_row_of(db, mail_id)
        assert await run(db, local, row_id) == "parked"
    assert mailbox.messages == []
    assert await mail_status(db, mail_id) == "failed"
    async with db.connection() as conn:
        error = await conn.fetchval("SELECT last_error FROM outbox WHERE id = $1", row_id)
    assert "550" in error


async def test_starttls_and_authentication_are_used_when_configured(
    db: Database, settings: Settings, factory: Factory, tmp_path: Path
) -> None:
    ana = await factory.person(email="ana@example.com")
    certificate, key = self_signed_certificate(tmp_path)
    with smtp_server(starttls_with=(certificate, key)) as (mailbox, port):
        tls = {"smtp_security": "starttls", "smtp_ca_file": str(certificate), "smtp_username": "mailer"}
        wrong = smtp_settings(settings, port, **tls, smtp_password="wrong")
        mail_id = await queue_notice(db, wrong, ana.person_id, "ana@example.com")
        row_id = await outbox_row_of(db, mail_id)
        assert await run(db, wrong, row_id) == "failed"  # an operator fixes the password; the mail waits
        assert await mail_status(db, mail_id) == "queued"
        untrusted = smtp_settings(settings, port, **{**tls, "smtp_ca_file": ""}, smtp_password="s3cret-pass")
        assert await run(db, untrusted, row_id) == "failed"  # a certificate nobody vouches for is refused
        right = smtp_settings(settings, port, **tls, smtp_password="s3cret-pass")
        assert await run(db, right, row_id) == "done"
    assert len(mailbox.messages) == 1


async def test_the_log_transport_prints_each_link(
    db: Database, settings: Settings, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    ana = await factory.person(email="ana@example.com")
    mail_id = await queue_notice(db, settings, ana.person_id, "ana@example.com")
    # listen on the mail logger itself: earlier tests may have reconfigured the root logger's handlers
    mail_log = logging.getLogger("advocacy.mail")
    mail_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="advocacy.mail"):
            assert await run(db, settings, await outbox_row_of(db, mail_id)) == "done"
    finally:
        mail_log.removeHandler(caplog.handler)
    # the same record may reach caplog twice (through the mail logger and through the root logger)
    records = [r for r in caplog.records if r.name == "advocacy.mail" and "mail not sent" in r.getMessage()]
    assert records and all(r is records[0] for r in records)
    record = records[0]
    assert "http://127.0.0.1:8000/password/forgot" in record.getMessage()
    line = JsonFormatter().format(record)  # as `advocacy up` writes it
    assert '"links":["http://127.0.0.1:8000/password/forgot"]' in line
    assert await mail_status(db, mail_id) == "sent"


def _worker_process(settings: Settings, row_id: int) -> subprocess.Popen[bytes]:
    """A separate worker process running one outbox row, so that the test can kill it mid-send."""
    script = (
        "import asyncio, sys\n"
        "from advocacy.db.pool import Database\n"
        "from advocacy.outbox.service import run_row\n"
        "from advocacy.settings import load_settings\n"
        "from workers.jobs import outbox_handlers\n"
        "async def main():\n"
        "    s = load_settings(env_file=None)\n"
        "    db = await Database.connect(s.database_url, min_size=1, max_size=3)\n"
        "    await run_row(db, int(sys.argv[1]), outbox_handlers(), {'db': db, 'settings': s}, max_attempts=5)\n"
        "asyncio.run(main())\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "DATA_DIR": settings.data_dir,
        "MAIL_TRANSPORT": "smtp",
        "SMTP_HOST": settings.smtp_host,
        "SMTP_PORT": str(settings.smtp_port),
        "SMTP_SECURITY": "none",
    }
    return subprocess.Popen([sys.executable, "-c", script, str(row_id)], cwd=ROOT, env=env)


async def _kill_when_reached(process: subprocess.Popen[bytes], reached: Any) -> None:
    assert await asyncio.to_thread(reached.wait, 60), "the worker never reached the mail server"
    process.send_signal(signal.SIGKILL)
    await asyncio.to_thread(process.wait, 30)


async def run_after_the_dead_worker(db: Database, settings: Settings, row_id: int) -> str:
    """Run the row as the next worker would: once PostgreSQL has noticed the killed worker's connection and
    released its lock on the row (until then a delivery finds the row busy, as a real one would)."""
    for _ in range(100):
        outcome = await run(db, settings, row_id)
        if outcome != "busy":
            return outcome
        await asyncio.sleep(0.1)
    raise AssertionError("the killed worker's lock on the outbox row was never released")


@pytest.mark.slow
async def test_a_worker_killed_while_the_server_takes_the_message_never_makes_it_arrive_twice(
    db: Database, settings: Settings, factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com")
    with smtp_server() as (mailbox, port):
        local = smtp_settings(settings, port)
        mail_id = await queue_notice(db, local, ana.person_id, "ana@example.com")
        row_id = await outbox_row_of(db, mail_id)
        mailbox.stall_at = "data"  # the server has the message but has not said so yet
        process = _worker_process(local, row_id)
        await _kill_when_reached(process, mailbox.reached)
        mailbox.stall_at = None
        # Another worker picks the row up again (its job was never marked done).
        assert await run_after_the_dead_worker(db, local, row_id) == "parked"
        assert await run(db, local, row_id) == "parked"
    assert len(mailbox.messages) == 1
    assert await mail_status(db, mail_id) == "unknown"
    async with db.connection() as conn:
        error = await conn.fetchval("SELECT last_error FROM outbox WHERE id = $1", row_id)
    assert "not sent again" in error


@pytest.mark.slow
async def test_a_worker_killed_before_the_message_went_out_lets_the_next_one_send_it_once(
    db: Database, settings: Settings, factory: Factory
) -> None:
    ana = await factory.person(email="ana@example.com")
    with smtp_server() as (mailbox, port):
        local = smtp_settings(settings, port)
        mail_id = await queue_notice(db, local, ana.person_id, "ana@example.com")
        row_id = await outbox_row_of(db, mail_id)
        mailbox.stall_at = "rcpt"
        process = _worker_process(local, row_id)
        await _kill_when_reached(process, mailbox.reached)
        mailbox.stall_at = None
        assert await run_after_the_dead_worker(db, local, row_id) == "done"
    assert len(mailbox.messages) == 1
    assert await mail_status(db, mail_id) == "sent"
