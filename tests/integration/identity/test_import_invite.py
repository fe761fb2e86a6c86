"""`advocacy import-people --invite`: everyone in the file without a password is invited, once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.factories import Factory
from tests.integration.foundation.test_people import run_cli
from tests.integration.identity.mailer import Outbox

FILE = (
    "email,display_name,team,language\n"
    "ana@example.com,Ana Martin,Sales,fr\n"
    "bob@example.com,Bob Stone,Sales,en\n"
    "has.password@example.com,Has Password,Sales,en\n"
)


async def test_the_import_command_invites_everyone_in_the_file_without_a_password_once(
    settings: Settings, factory: Factory, db: Database, tmp_path: Path
) -> None:
    await factory.person(email="has.password@example.com", password="an existing password")
    await factory.person(email="not.in.file@example.com")
    (tmp_path / "people.csv").write_text(FILE)
    done = run_cli(settings, tmp_path, "import-people", "people.csv", "--invite")
    assert done.returncode == 0, done.stderr
    assert "invited 2" in done.stdout
    again = run_cli(settings, tmp_path, "import-people", "people.csv", "--invite")
    assert "invited 0" in again.stdout
    messages = await Outbox().deliver(db, settings)
    assert sorted(m["To"] for m in messages) == ["ana@example.com", "bob@example.com"]
    assert {m["To"]: m["Content-Language"] for m in messages} == {
        "ana@example.com": "fr",
        "bob@example.com": "en",
    }


async def test_a_dry_run_invites_nobody(
    settings: Settings, factory: Factory, db: Database, tmp_path: Path
) -> None:
    (tmp_path / "people.csv").write_text(FILE)
    done = run_cli(settings, tmp_path, "import-people", "people.csv", "--invite", "--dry-run")
    assert done.returncode == 0 and "invited" not in done.stdout
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM invitations") == 0


def create_admin(
    settings: Settings, cwd: Path, email: str, password: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "DATA_DIR": str(cwd / "data"),
    }
    advocacy = str(Path(sys.executable).parent / "advocacy")
    return subprocess.run(
        [advocacy, "create-admin", "--email", email, "--password-stdin"],
        input=password + "\n",
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_create_admin_refuses_a_password_the_policy_refuses(
    settings: Settings, clean: None, db: Database, tmp_path: Path
) -> None:
    weak = create_admin(settings, tmp_path, "root@example.com", "password1234")
    assert weak.returncode != 0 and "too easy to guess" in weak.stderr
    good = create_admin(settings, tmp_path, "root@example.com", "plum orchard at dusk")
    assert good.returncode == 0, good.stderr
