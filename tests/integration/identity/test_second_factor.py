"""TOTP second factor: turning it on and off, signing in with a code or a recovery code, refusals (wrong
code, replayed code, too many tries), the organisation setting that requires it for privileged roles, and
the re-encryption of TOTP secrets when TOKEN_ENCRYPTION_KEYS rotate."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from cryptography.fernet import Fernet

from advocacy.connectors.crypto import TokenCipher, keys_of
from advocacy.db.pool import Database
from advocacy.key_rotation import rotate_all
from tests.conftest import problem
from tests.factories import Factory

PASSWORD = "correct horse battery"


async def turn_on(client: Any, someone: Any) -> tuple[pyotp.TOTP, list[str]]:
    started = await client.post("/api/v1/me/second-factor/totp", headers=someone.headers)
    assert started.status_code == 201, started.text
    totp = pyotp.TOTP(started.json()["secret"])
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/")
    wrong = await client.post(
        "/api/v1/me/second-factor/totp/confirm", json={"code": "000000"}, headers=someone.headers
    )
    assert wrong.status_code == 422 and problem(wrong)["errors"][0]["field"] == "code"
    confirmed = await client.post(
        "/api/v1/me/second-factor/totp/confirm", json={"code": totp.now()}, headers=someone.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    codes: list[str] = confirmed.json()["codes"]
    return totp, codes


async def challenge_of(client: Any, email: str) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    body = problem(response)
    assert response.status_code == 401 and body["type"] == "urn:advocacy:problem:second-factor-required", body
    assert "set-cookie" not in response.headers
    extra: dict[str, Any] = body["extra"]
    return extra


def later_code(totp: pyotp.TOTP) -> str:
    """The next step's code (accepted for clock drift), so that it differs from one just used."""
    return str(totp.at(time.time() + totp.interval))


async def test_with_totp_on_signing_in_needs_a_code_and_a_code_works_once(
    client: Any, factory: Factory, db: Database
) -> None:
    ana = await factory.person("admin", email="ana@example.com", password=PASSWORD)
    totp, codes = await turn_on(client, ana)
    assert len(codes) == 10 and len(set(codes)) == 10
    status = (await client.get("/api/v1/me/second-factor", headers=ana.headers)).json()
    assert status == {
        "enabled": True,
        "pending_confirmation": False,
        "recovery_codes_left": 10,
        "required": False,
    }

    challenge = (await challenge_of(client, "ana@example.com"))["challenge"]
    wrong = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": "123456"}
    )
    assert wrong.status_code == 422
    code = later_code(totp)
    done = await client.post("/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": code})
    assert done.status_code == 200, done.text
    assert "advocacy_session=" in done.headers["set-cookie"] and done.json()["recovery_codes"] is None
    assert (await client.get("/api/v1/me")).status_code == 200
    client.cookies.clear()
    used_challenge = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": code}
    )
    assert used_challenge.status_code == 401

    replay = (await challenge_of(client, "ana@example.com"))["challenge"]
    replayed = await client.post("/api/v1/auth/login/second-factor", json={"challenge": replay, "code": code})
    assert replayed.status_code == 422  # the same code is not accepted twice
    recovered = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": replay, "code": codes[0]}
    )
    assert recovered.status_code == 200
    client.cookies.clear()
    again = (await challenge_of(client, "ana@example.com"))["challenge"]
    spent = await client.post("/api/v1/auth/login/second-factor", json={"challenge": again, "code": codes[0]})
    assert spent.status_code == 422  # a recovery code works once
    async with db.connection() as conn:
        stored = await conn.fetch("SELECT code_hash FROM recovery_codes")
        secret = await conn.fetchval("SELECT totp_secret FROM second_factors")
    assert all(codes[1].encode() not in bytes(r["code_hash"]) for r in stored)
    assert totp.secret.encode() not in bytes(secret)


async def test_a_challenge_dies_after_five_wrong_codes(client: Any, factory: Factory) -> None:
    ana = await factory.person(email="ana@example.com", password=PASSWORD)
    totp, _ = await turn_on(client, ana)
    challenge = (await challenge_of(client, "ana@example.com"))["challenge"]
    for _ in range(5):
        response = await client.post(
            "/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": "000000"}
        )
        assert response.status_code == 422
    late = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": later_code(totp)}
    )
    assert late.status_code == 401


async def test_the_organisation_can_require_it_for_privileged_roles_who_set_it_up_at_sign_in(
    client: Any, factory: Factory
) -> None:
    admin = await factory.person("admin")
    await factory.person("hr", email="hugo@example.com", password=PASSWORD)
    await factory.person("employee", email="emma@example.com", password=PASSWORD)
    changed = await client.patch(
        "/api/v1/organisation/identity", json={"require_second_factor": True}, headers=admin.headers
    )
    assert changed.status_code == 200 and changed.json() == {"require_second_factor": True}

    employee = await client.post(
        "/api/v1/auth/login", json={"email": "emma@example.com", "password": PASSWORD}
    )
    assert employee.status_code == 200
    client.cookies.clear()
    extra = await challenge_of(client, "hugo@example.com")
    assert extra["enrolment_required"] is True
    early = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": extra["challenge"], "code": "123456"}
    )
    assert early.status_code == 409  # set up the app first
    enrolment = await client.post(
        "/api/v1/auth/login/second-factor/enrol", json={"challenge": extra["challenge"]}
    )
    assert enrolment.status_code == 200
    totp = pyotp.TOTP(enrolment.json()["secret"])
    done = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": extra["challenge"], "code": totp.now()}
    )
    assert done.status_code == 200 and len(done.json()["recovery_codes"]) == 10
    csrf = {"X-CSRF-Token": done.json()["csrf_token"]}
    status = (await client.get("/api/v1/me/second-factor")).json()
    assert status["enabled"] and status["required"]
    refused = await client.post(
        "/api/v1/me/second-factor/disable",
        json={"current_password": PASSWORD, "code": later_code(totp)},
        headers=csrf,
    )
    assert refused.status_code == 403


async def test_turning_it_off_needs_the_password_and_a_code(client: Any, factory: Factory) -> None:
    ana = await factory.person(email="ana@example.com", password=PASSWORD)
    totp, _ = await turn_on(client, ana)
    no_password = await client.post(
        "/api/v1/me/second-factor/disable",
        json={"current_password": "wrong one", "code": later_code(totp)},
        headers=ana.headers,
    )
    assert no_password.status_code == 422 and problem(no_password)["errors"][0]["field"] == "current_password"
    no_code = await client.post(
        "/api/v1/me/second-factor/disable",
        json={"current_password": PASSWORD, "code": "000000"},
        headers=ana.headers,
    )
    assert no_code.status_code == 422
    off = await client.post(
        "/api/v1/me/second-factor/disable",
        json={"current_password": PASSWORD, "code": later_code(totp)},
        headers=ana.headers,
    )
    assert off.status_code == 204
    assert (
        await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    ).status_code == 200


async def test_new_recovery_codes_replace_the_old_ones(client: Any, factory: Factory) -> None:
    ana = await factory.person(email="ana@example.com", password=PASSWORD)
    totp, old = await turn_on(client, ana)
    renewed = await client.post(
        "/api/v1/me/second-factor/recovery-codes", json={"code": later_code(totp)}, headers=ana.headers
    )
    assert renewed.status_code == 200 and set(renewed.json()["codes"]).isdisjoint(old)
    challenge = (await challenge_of(client, "ana@example.com"))["challenge"]
    stale = await client.post(
        "/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": old[1]}
    )
    assert stale.status_code == 422


async def test_the_login_form_asks_for_the_code_on_a_second_page(client: Any, factory: Factory) -> None:
    ana = await factory.person(email="ana@example.com", password=PASSWORD, language="en")
    totp, _ = await turn_on(client, ana)
    step = await client.post(
        "/login", data={"email": "ana@example.com", "password": PASSWORD}, follow_redirects=False
    )
    assert step.status_code == 200 and 'for="code">' in step.text and "set-cookie" not in step.headers
    challenge = re.search(r'name="challenge" value="([^"]+)"', step.text)
    assert challenge
    wrong = await client.post(
        "/login/second-factor", data={"challenge": challenge.group(1), "code": "000000"}
    )
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    done = await client.post(
        "/login/second-factor",
        data={"challenge": challenge.group(1), "code": later_code(totp)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "advocacy_session=" in done.headers["set-cookie"]


async def test_codes_tried_by_a_signed_in_person_are_rate_limited(client: Any, factory: Factory) -> None:
    ana = await factory.person(email="ana@example.com", password=PASSWORD)
    await turn_on(client, ana)  # one wrong code, one right one
    statuses = [
        (
            await client.post(
                "/api/v1/me/second-factor/recovery-codes", json={"code": "000000"}, headers=ana.headers
            )
        ).status_code
        for _ in range(9)
    ]
    assert statuses == [422] * 8 + [429]


async def test_old_sign_in_challenges_are_purged(client: Any, factory: Factory, db: Database) -> None:
    from advocacy.identity.second_factor import purge_challenges

    ana = await factory.person(email="ana@example.com", password=PASSWORD)
    await turn_on(client, ana)
    await challenge_of(client, "ana@example.com")
    await challenge_of(client, "ana@example.com")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE login_challenges SET expires_at = now() - interval '2 days'"
            " WHERE id = (SELECT min(id) FROM login_challenges)"
        )
    assert await purge_challenges(db) == 1
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM login_challenges") == 1


async def test_a_signed_in_person_turns_it_on_and_off_from_the_account_page(
    client: Any, factory: Factory
) -> None:
    await factory.person(email="ana@example.com", password=PASSWORD, language="en")
    await client.post(
        "/login", data={"email": "ana@example.com", "password": PASSWORD}, follow_redirects=False
    )
    page = await client.get("/account/second-factor")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    started = await client.post("/account/second-factor/start", data={"csrf": csrf.group(1)})
    assert started.status_code == 200 and "otpauth://totp/" in started.text
    secret = re.search(r"Key: ([A-Z2-7]+)", started.text)
    assert secret
    # the key as a QR code to scan, drawn inline (nothing loaded from anywhere)
    assert re.search(
        r'<figure class="qr-code"><svg [^>]*viewBox="[^"]+"[^>]*><title>QR code of your key</title><path ',
        started.text,
    )
    totp = pyotp.TOTP(secret.group(1))
    wrong = await client.post(
        "/account/second-factor/confirm", data={"csrf": csrf.group(1), "code": "000000"}
    )
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    on = await client.post("/account/second-factor/confirm", data={"csrf": csrf.group(1), "code": totp.now()})
    assert on.status_code == 200 and len(re.findall(r"[0-9a-f]{6}-[0-9a-f]{6}", on.text)) == 10
    forged = await client.post(
        "/account/second-factor/disable",
        data={"csrf": "forged", "current_password": PASSWORD, "code": later_code(totp)},
    )
    assert forged.status_code == 403
    off = await client.post(
        "/account/second-factor/disable",
        data={"csrf": csrf.group(1), "current_password": PASSWORD, "code": later_code(totp)},
    )
    assert off.status_code == 200
    status = await client.get("/api/v1/me/second-factor")
    assert status.json()["enabled"] is False


async def test_rotating_token_keys_re_encrypts_totp_secrets_so_the_old_key_can_go(
    client: Any, factory: Factory, db: Database, settings: Any
) -> None:
    old = TokenCipher.from_settings(settings)
    ana = await factory.person("admin", password=PASSWORD)
    await turn_on(client, ana)
    bob = await factory.person("hr", password=PASSWORD)
    async with db.transaction() as conn:
        # a sign-in enrolment in progress holds an offered secret too
        await conn.execute(
            "INSERT INTO login_challenges (person_id, token_hash, enrolment_secret, expires_at)"
            " VALUES ($1, $2, $3, now() + interval '5 minutes')",
            bob.person_id,
            b"rotation-test-challenge",
            old.encrypt("JBSWY3DPEHPK3PXP"),
        )
        before = await conn.fetchval(
            "SELECT totp_secret FROM second_factors WHERE person_id = $1", ana.person_id
        )
    new_key = Fernet.generate_key()
    rotated = TokenCipher([new_key, *keys_of(settings)])
    counts = await rotate_all(db, rotated)
    assert counts["second_factors"] >= 1 and counts["login_challenges"] >= 1
    only_new = TokenCipher([new_key])
    async with db.connection() as conn:
        after = await conn.fetchval(
            "SELECT totp_secret FROM second_factors WHERE person_id = $1", ana.person_id
        )
        offered = await conn.fetchval(
            "SELECT enrolment_secret FROM login_challenges WHERE token_hash = $1", b"rotation-test-challenge"
        )
    assert only_new.decrypt(after) == old.decrypt(before)
    assert only_new.decrypt(offered) == "JBSWY3DPEHPK3PXP"
