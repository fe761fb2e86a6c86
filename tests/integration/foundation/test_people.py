"""People, roles and the CSV import (API and CLI): dry runs report every bad row; re-imports change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory

IMPORT = "/api/v1/people/import"
CSV = {"Content-Type": "text/csv"}

CLEAN_FILE = """email,display_name,team,language,job_title,roles
ana@example.com,Ana Martin,Sales,fr,Account manager,employee
bob@example.com,Bob Stone,Marketing,en,,employee;curator
chloe@example.com,Chloé Durand,sales,fr,Engineer,employee
"""

BROKEN_FILE = """email,display_name,team,language,roles
ana@example.com,Ana Martin,Sales,fr,employee
not-an-email,Bad Mail,Sales,fr,employee
de@example.com,Deutsch,Sales,de,employee
wizard@example.com,Merlin,Sales,en,employee;wizard
ana@example.com,Ana Again,Sales,fr,employee
extra@example.com,Extra,Sales,fr,employee,surplus
noname@example.com,,Sales,fr,employee
ok@example.com,Fine Person,Sales,en,employee
"""


async def people_count(db: Database) -> int:
    async with db.connection() as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM people")
    return count


async def updated_at_by_email(db: Database) -> dict[str, Any]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT email, updated_at FROM people ORDER BY email")
    return {r["email"]: r["updated_at"] for r in rows}


async def test_an_admin_adds_a_person_with_roles(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin")
    response = await client.post(
        "/api/v1/people",
        json={"email": "new@example.com", "display_name": "New Person", "team": "Ops", "roles": ["curator"]},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["roles"] == ["curator"] and created["team"] == "Ops"
    fetched = await client.get(f"/api/v1/people/{created['id']}", headers=admin.headers)
    assert fetched.json()["email"] == "new@example.com"


async def test_a_password_set_by_an_admin_follows_the_password_policy(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    before = await people_count(db)
    for weak in ("ten chars!", "password1234", "new.person@example.com"):
        response = await client.post(
            "/api/v1/people",
            json={"email": "new.person@example.com", "display_name": "New Person", "password": weak},
            headers={**admin.headers, "Accept-Language": "en"},
        )
        assert response.status_code == 422, (weak, response.text)
        assert [e["field"] for e in problem(response)["errors"]] == ["password"], response.text
    assert "ten chars!" not in response.text and await people_count(db) == before
    guessable = "email,display_name,password\nweak@example.com,Weak,password1234\n"
    refused = await client.post(f"{IMPORT}?dry_run=true", content=guessable, headers={**CSV, **admin.headers})
    assert refused.status_code == 422 and "password" in refused.json()["errors"][0]["reason"], refused.text
    assert "password1234" not in refused.text
    accepted = await client.post(
        "/api/v1/people",
        json={
            "email": "new.person@example.com",
            "display_name": "New Person",
            "password": "plum orchard at dusk",
        },
        headers=admin.headers,
    )
    assert accepted.status_code == 201, accepted.text


async def test_a_second_person_with_the_same_email_in_other_case_is_a_conflict(
    client: Any, factory: Factory
) -> None:
    admin = await factory.person("admin", email="admin@example.com")
    response = await client.post(
        "/api/v1/people", json={"email": "ADMIN@example.com", "display_name": "Twin"}, headers=admin.headers
    )
    assert problem(response)["status"] == 409


async def test_hr_can_list_people_but_not_add_one(client: Any, factory: Factory) -> None:
    hr = await factory.person("hr")
    listed = await client.get("/api/v1/people", headers=hr.headers)
    assert listed.status_code == 200
    assert [p["email"] for p in listed.json()["items"]] == [hr.person.email]
    refused = await client.post(
        "/api/v1/people", json={"email": "x@example.com", "display_name": "X"}, headers=hr.headers
    )
    assert problem(refused)["status"] == 403


async def test_an_employee_cannot_list_people(client: Any, factory: Factory) -> None:
    employee = await factory.person("employee")
    assert problem(await client.get("/api/v1/people", headers=employee.headers))["status"] == 403


async def test_a_csv_dry_run_reports_every_bad_row_with_its_line_and_reason_and_writes_nothing(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    response = await client.post(
        f"{IMPORT}?dry_run=true", content=BROKEN_FILE, headers={**CSV, **admin.headers}
    )
    assert response.status_code == 422, response.text
    report = response.json()
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "email" in reasons[3] and "not-an-email" in reasons[3]
    assert "language" in reasons[4] and "'de'" in reasons[4]
    assert "role" in reasons[5] and "wizard" in reasons[5]
    assert "already on line 2" in reasons[6]
    assert "more values than columns" in reasons[7]
    assert "display_name" in reasons[8] and "missing" in reasons[8]
    assert report["dry_run"] is True and report["applied"] is False
    assert report["rows"] == 8
    assert await people_count(db) == 1  # the admin only


async def test_a_csv_without_the_required_columns_is_refused_on_line_1(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin")
    response = await client.post(
        f"{IMPORT}?dry_run=true", content="email,name\na@example.com,A\n", headers={**CSV, **admin.headers}
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["line"] == 1
    assert "missing column(s) display_name" in error["reason"] and "unknown column(s) name" in error["reason"]


async def test_a_file_with_bad_rows_imports_nothing_even_without_dry_run(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    response = await client.post(IMPORT, content=BROKEN_FILE, headers={**CSV, **admin.headers})
    assert response.status_code == 422
    report = response.json()
    assert report["applied"] is False and len(report["errors"]) == 6
    assert await people_count(db) == 1


async def test_a_clean_dry_run_says_what_would_be_created_and_writes_nothing(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    response = await client.post(
        f"{IMPORT}?dry_run=true", content=CLEAN_FILE, headers={**CSV, **admin.headers}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["updated"], report["unchanged"], report["applied"]) == (3, 0, 0, False)
    assert await people_count(db) == 1


async def test_a_clean_import_creates_people_and_reimporting_it_changes_nothing(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin", email="admin@example.com")
    first = await client.post(IMPORT, content=CLEAN_FILE, headers={**CSV, **admin.headers})
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["applied"]) == (3, True)
    people = (await client.get("/api/v1/people", headers=admin.headers)).json()["items"]
    bob = next(p for p in people if p["email"] == "bob@example.com")
    assert bob["roles"] == ["curator", "employee"] and bob["language"] == "en" and bob["team"] == "Marketing"
    teams = (await client.get("/api/v1/teams", headers=admin.headers)).json()
    assert sorted(t["name"] for t in teams) == ["Marketing", "Sales"]  # "sales" is the same team

    before = await updated_at_by_email(db)
    again = await client.post(IMPORT, content=CLEAN_FILE, headers={**CSV, **admin.headers})
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 3)
    assert await updated_at_by_email(db) == before


async def test_a_changed_row_updates_that_person_only(client: Any, factory: Factory, db: Database) -> None:
    admin = await factory.person("admin", email="admin@example.com")
    await client.post(IMPORT, content=CLEAN_FILE, headers={**CSV, **admin.headers})
    before = await updated_at_by_email(db)
    changed = CLEAN_FILE.replace(
        "Bob Stone,Marketing,en,,employee;curator", "Bob Stone,Marketing,en,,employee"
    )
    changed = changed.replace("Ana Martin,Sales,fr,Account manager", "Ana Martin,Sales,fr,Sales director")
    response = await client.post(IMPORT, content=changed, headers={**CSV, **admin.headers})
    assert (response.json()["updated"], response.json()["unchanged"]) == (2, 1)
    after = await updated_at_by_email(db)
    assert after["ana@example.com"] > before["ana@example.com"]
    assert after["chloe@example.com"] == before["chloe@example.com"]
    people = {
        p["email"]: p for p in (await client.get("/api/v1/people", headers=admin.headers)).json()["items"]
    }
    assert people["ana@example.com"]["job_title"] == "Sales director"
    assert people["bob@example.com"]["roles"] == ["employee"]


async def test_the_import_wants_a_csv_body(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin")
    response = await client.post(IMPORT, json={"email": "a@example.com"}, headers=admin.headers)
    assert "text/csv" in problem(response)["detail"]


async def test_hr_cannot_import_people(client: Any, factory: Factory) -> None:
    hr = await factory.person("hr")
    response = await client.post(IMPORT, content=CLEAN_FILE, headers={**CSV, **hr.headers})
    assert problem(response)["status"] == 403


def run_cli(settings: Settings, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "DATA_DIR": str(cwd / "data"),
    }
    advocacy = Path(sys.executable).parent / "advocacy"
    return subprocess.run(
        [str(advocacy), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def test_the_import_command_dry_run_reports_and_exits_zero_for_a_clean_file(
    settings: Settings, clean: None, db: Database, tmp_path: Path
) -> None:
    (tmp_path / "people.csv").write_text(CLEAN_FILE)
    done = run_cli(settings, tmp_path, "import-people", "people.csv", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would create 3, updated 0, unchanged 0" in done.stdout
    assert await people_count(db) == 0


async def test_the_import_command_lists_bad_lines_and_exits_non_zero(
    settings: Settings, clean: None, db: Database, tmp_path: Path
) -> None:
    (tmp_path / "people.csv").write_text(BROKEN_FILE)
    done = run_cli(settings, tmp_path, "import-people", "people.csv", "--dry-run")
    assert done.returncode == 1
    for line in (3, 4, 5, 6, 7, 8):
        assert f"line {line}: " in done.stderr
    assert "nothing was imported" in done.stderr
    assert await people_count(db) == 0


async def test_a_large_import_with_an_idempotency_key_gets_the_routes_own_body_limit(
    client: Any, factory: Factory, settings: Settings
) -> None:
    admin = await factory.person("admin")
    header = "email,display_name,team,language\n"
    rows = [f"person{i:06d}@example.com,Person Number {i:06d},Team {i % 40},fr\n" for i in range(20_000)]
    text = header + "".join(rows)
    assert len(text.encode()) > settings.max_body_bytes
    response = await client.post(
        f"{IMPORT}?dry_run=true",
        content=text,
        headers={**CSV, **admin.headers, "Idempotency-Key": "big-import"},
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()["created"] == 20_000
