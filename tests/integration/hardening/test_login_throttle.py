"""Sign-in throttling by account and client together, failures only, slowing down instead of locking; and one
canonical form of e-mail addresses, the same in Python and in PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from advocacy.auth.service import login
from advocacy.auth.throttle import FIRST_DELAY_SECONDS, MAX_DELAY_SECONDS, LoginThrottle, delay_after
from advocacy.core.emails import canonical_email
from advocacy.core.errors import TooManyRequests, Unauthenticated
from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.factories import Factory

PASSWORD = "correct horse battery"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


@pytest.fixture
async def throttle(redis: Redis, settings: Settings, clean: None) -> AsyncIterator[LoginThrottle]:
    yield LoginThrottle(redis, settings.redis_namespace, settings.secret_key, 10)


async def _login(db: Database, throttle: LoginThrottle, email: str, password: str, client: str) -> None:
    await login(db, throttle, email=email, password=password, client=client, session_hours=1)


async def test_wrong_passwords_from_elsewhere_never_keep_the_owner_out(
    db: Database, factory: Factory, throttle: LoginThrottle
) -> None:
    await factory.person(email="liam@example.com", password=PASSWORD)
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            await _login(db, throttle, "liam@example.com", "guess-guess", ATTACKER)
    with pytest.raises(TooManyRequests) as slowed:
        await _login(db, throttle, "liam@example.com", "guess-guess", ATTACKER)
    assert 0 < slowed.value.retry_after <= FIRST_DELAY_SECONDS
    # the owner, from their own address, signs in at once with the right password
    await _login(db, throttle, "LIAM@example.com", PASSWORD, OWNER)


async def test_the_attacker_is_slowed_down_more_and_more_but_never_locked_for_long(
    throttle: LoginThrottle,
) -> None:
    now = time.time()
    for i in range(10):
        await throttle.check("liam@example.com", ATTACKER, now=now + i)
        await throttle.failed("liam@example.com", ATTACKER, now=now + i)
    waits = []
    at = now + 10
    for _ in range(6):
        with pytest.raises(TooManyRequests) as slowed:
            await throttle.check("liam@example.com", ATTACKER, now=at)
        waits.append(slowed.value.retry_after)
        at += slowed.value.retry_after  # waits it out, then fails again
        await throttle.check("liam@example.com", ATTACKER, now=at)
        await throttle.failed("liam@example.com", ATTACKER, now=at)
    assert waits == sorted(waits) and waits[-1] <= MAX_DELAY_SECONDS
    assert [delay_after(10 + n, 10) for n in range(6)] == [4, 8, 16, 32, 60, 60]


async def test_successes_are_never_counted(
    db: Database, factory: Factory, redis: Redis, settings: Settings
) -> None:
    await factory.person(email="office@example.com", password=PASSWORD)
    tight = LoginThrottle(redis, settings.redis_namespace, settings.secret_key, 1)
    for _ in range(6):  # one office behind one NAT, signing in all day
        await _login(db, tight, "office@example.com", PASSWORD, OWNER)


async def test_a_unicode_variant_of_an_address_is_another_account_in_python_and_sql_alike(
    db: Database, factory: Factory, throttle: LoginThrottle
) -> None:
    await factory.person(email="liam@example.com", password=PASSWORD)
    # U+0130: Python's lower() makes it 'i̇' (two code points), PostgreSQL's lower() 'i': no longer used
    with pytest.raises(Unauthenticated):
        await _login(db, throttle, "l\u0130am@example.com", PASSWORD, ATTACKER)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT canonical_email($1)", "L\u0130AM@Example.COM") == canonical_email(
            "L\u0130AM@Example.COM"
        )


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    address=st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
)
async def test_python_and_postgresql_agree_on_every_canonical_address(db: Database, address: str) -> None:
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT canonical_email($1)", address) == canonical_email(address)
