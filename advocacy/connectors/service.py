"""Connected accounts: connect flows (OAuth 2 + PKCE, Bluesky app password), tokens kept fresh, revocation."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg

from advocacy.ambassadors.service import require_ambassador
from advocacy.audit.service import write_audit
from advocacy.connectors import pkce, queries
from advocacy.connectors.base import (
    AccountAuth,
    AuthExpired,
    ClientApp,
    ConnectorError,
    Rejected,
    TokenSet,
    Transient,
    Unsupported,
)
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry
from advocacy.connectors.schemas import (
    WHAT_IS_STORED,
    AccountRow,
    AudienceRead,
    BlueskyConnectBody,
    ConnectedAccountRead,
    Connections,
    ConnectStart,
    ConnectStartBody,
    PublicationRead,
)
from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.networks import ConnectedNetwork
from advocacy.db.pool import Database
from advocacy.settings import Settings
from content_library.sources.safe_fetch import FetchPolicy, checked_address

log = logging.getLogger("advocacy.connectors")

STATE_TTL = timedelta(minutes=10)
# Refresh a token this long before it expires, so a post never goes out with one about to lapse.
REFRESH_MARGIN = timedelta(seconds=120)
OAUTH_NETWORKS: tuple[ConnectedNetwork, ...] = ("linkedin", "x", "mastodon")


class NeedsReconnect(Exception):
    """The account's tokens no longer work and cannot be refreshed: the person must connect again."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def redirect_uri(settings: Settings, network: ConnectedNetwork) -> str:
    return f"{settings.base_url}/api/v1/me/connections/{network}/callback"


def oauth_network(network: str) -> ConnectedNetwork:
    if network not in OAUTH_NETWORKS:
        raise NotFound(
            lazy_gettext(
                "No OAuth connect flow for %(network)s: use linkedin, x or mastodon (Bluesky: app password)",
                network=repr(network),
            )
        )
    return network


async def normalise_instance(raw: str, settings: Settings) -> str:
    """https://host[:port] of a Mastodon server typed by an employee, refused if it is not a public host."""
    text = raw.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme != "https" and not (settings.fetch_allow_private and parts.scheme == "http"):
        raise Invalid(lazy_gettext("A Mastodon server address must use https"))
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.username:
        raise Invalid(lazy_gettext("Give only the Mastodon server's address, e.g. https://mastodon.social"))
    await checked_address(text, FetchPolicy(allow_private=settings.fetch_allow_private))
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


async def _mastodon_app(db: Database, registry: Registry, cipher: TokenCipher, instance: str) -> ClientApp:
    uri = redirect_uri(registry.settings, "mastodon")
    async with db.connection() as conn:
        found = await queries.mastodon_app(conn, instance, uri)
    if found is None:
        try:
            app = await registry.mastodon.register_app(instance, uri, registry.settings.base_url)
        except ConnectorError as exc:
            raise Conflict(
                lazy_gettext(
                    "The Mastodon server %(instance)s refused to register this app: %(detail)s",
                    instance=instance,
                    detail=exc.detail,
                )
            ) from None
        async with db.transaction() as conn:
            found = await queries.save_mastodon_app(
                conn, instance, uri, app.client_id, cipher.encrypt(app.client_secret or "")
            )
    return ClientApp(client_id=found[0], client_secret=cipher.decrypt(found[1]) or None)


async def client_app(
    db: Database, registry: Registry, cipher: TokenCipher, network: ConnectedNetwork, base_url: str
) -> ClientApp:
    if network == "mastodon":
        return await _mastodon_app(db, registry, cipher, base_url)
    if network == "bluesky":
        return ClientApp(client_id="")
    app = registry.settings_app(network)
    if app is None:
        raise Conflict(
            lazy_gettext(
                "Direct publishing to %(network)s is not set up here: an administrator must set %(value)s_CLIENT_ID and %(value)s_CLIENT_SECRET",
                network=network,
                value=network.upper(),
            )
        )
    return app


async def start_connect(
    db: Database,
    registry: Registry,
    cipher: TokenCipher,
    person_id: int,
    network_name: str,
    body: ConnectStartBody,
) -> ConnectStart:
    network = oauth_network(network_name)
    async with db.connection() as conn:
        await require_ambassador(conn, person_id)
    if network == "mastodon":
        if not body.instance:
            raise Invalid(lazy_gettext("Say which Mastodon server your account is on (instance)"))
        base_url = await normalise_instance(body.instance, registry.settings)
    else:
        base_url = registry.default_base_url(network)
    app = await client_app(db, registry, cipher, network, base_url)
    state, verifier = pkce.new_state(), pkce.new_verifier()
    expires_at = datetime.now(UTC) + STATE_TTL
    uri = redirect_uri(registry.settings, network)
    async with db.transaction() as conn:
        await queries.insert_state(
            conn,
            state_hash=pkce.state_hash(state),
            person_id=person_id,
            network=network,
            base_url=base_url,
            code_verifier=cipher.encrypt(verifier),
            redirect_uri=uri,
            expires_at=expires_at,
        )
    url = registry.connector(network).authorize_url(
        base_url=base_url, app=app, state=state, challenge=pkce.challenge_s256(verifier), redirect_uri=uri
    )
    return ConnectStart(authorize_url=url, expires_at=expires_at)


async def finish_connect(
    db: Database,
    registry: Registry,
    cipher: TokenCipher,
    person_id: int,
    network_name: str,
    *,
    code: str | None,
    state: str | None,
    error: str | None = None,
) -> ConnectedAccountRead:
    network = oauth_network(network_name)
    if not state:
        raise Invalid(lazy_gettext("The network came back without a state: start connecting again"))
    # The state is spent before anything else, even if what follows fails: it can never be replayed.
    async with db.transaction() as conn:
        row = await queries.consume_state(conn, pkce.state_hash(state))
    refused = "This connection link was already used, has expired or is not yours: start connecting again"
    if row is None or row.person_id != person_id or row.network != network:
        raise Forbidden(refused)
    if row.expires_at <= datetime.now(UTC):
        raise Forbidden(refused)
    if error:
        raise Invalid(lazy_gettext("The network did not connect the account (%(value)s)", value=error[:100]))
    if not code:
        raise Invalid(
            lazy_gettext("The network came back without an authorisation code: start connecting again")
        )
    async with db.connection() as conn:
        await require_ambassador(conn, person_id)
    app = await client_app(db, registry, cipher, network, row.base_url)
    connector = registry.connector(network)
    try:
        tokens = await connector.exchange_code(
            base_url=row.base_url,
            app=app,
            code=code,
            verifier=cipher.decrypt(row.code_verifier),
            redirect_uri=row.redirect_uri,
        )
        auth = AccountAuth(base_url=row.base_url, external_id="", access_token=tokens.access_token)
        profile = await connector.profile(auth)
    except ConnectorError as exc:
        raise Conflict(
            lazy_gettext(
                "%(network)s did not complete the connection: %(detail)s", network=network, detail=exc.detail
            )
        ) from None
    return await _store_account(db, cipher, person_id, network, row.base_url, tokens, profile)


async def _store_account(
    db: Database,
    cipher: TokenCipher,
    person_id: int,
    network: ConnectedNetwork,
    base_url: str,
    tokens: TokenSet,
    profile: Any,
) -> ConnectedAccountRead:
    async with db.transaction() as conn:
        account = await queries.upsert_account(
            conn,
            person_id=person_id,
            network=network,
            base_url=base_url,
            external_id=profile.external_id,
            handle=profile.handle,
            display_name=profile.display_name,
            profile_url=profile.profile_url,
            scopes=tokens.scopes,
            access_token=cipher.encrypt(tokens.access_token),
            refresh_token=cipher.encrypt_optional(tokens.refresh_token),
            expires_at=tokens.expires_at,
            followers=profile.followers,
        )
        await write_audit(
            conn,
            actor_id=person_id,
            action="connected_account.connected",
            subject_type="connected_account",
            subject_id=str(account.id),
            detail={"network": network, "scopes": tokens.scopes},
        )
    return account


async def connect_bluesky(
    db: Database, registry: Registry, cipher: TokenCipher, person_id: int, body: BlueskyConnectBody
) -> ConnectedAccountRead:
    async with db.connection() as conn:
        await require_ambassador(conn, person_id)
    connector = registry.bluesky
    try:
        tokens, who = await connector.create_session(body.identifier.strip().lstrip("@"), body.app_password)
    except Rejected as exc:
        raise Invalid(
            lazy_gettext("Bluesky refused the handle or app password: %(detail)s", detail=exc.detail)
        ) from None
    except AuthExpired as exc:
        raise Invalid(
            lazy_gettext("Bluesky refused the handle or app password: %(detail)s", detail=exc.detail)
        ) from None
    except ConnectorError as exc:
        raise Conflict(lazy_gettext("Bluesky could not be reached: %(detail)s", detail=exc.detail)) from None
    base_url = connector.service_url
    auth = AccountAuth(base_url=base_url, external_id=who.external_id, access_token=tokens.access_token)
    try:
        profile = await connector.profile(auth)
    except ConnectorError:
        profile = who
    return await _store_account(db, cipher, person_id, "bluesky", base_url, tokens, profile)


async def list_connections(db: Database, person_id: int) -> Connections:
    async with db.connection() as conn:
        accounts = await queries.accounts_of_person(conn, person_id)
    return Connections(accounts=accounts, what_is_stored=WHAT_IS_STORED)


def _auth(row: AccountRow, cipher: TokenCipher) -> AccountAuth:
    return AccountAuth(
        base_url=row.base_url,
        external_id=row.external_id,
        access_token=cipher.decrypt(row.access_token),
        refresh_token=cipher.decrypt_optional(row.refresh_token),
    )


async def _revoke(db: Database, registry: Registry, cipher: TokenCipher, row: AccountRow) -> str | None:
    """Revoke at the provider; returns why it could not (the tokens are deleted here either way)."""
    try:
        app = await client_app(db, registry, cipher, row.network, row.base_url)
        await registry.connector(row.network).revoke(app=app, auth=_auth(row, cipher))
    except (ConnectorError, Conflict) as exc:
        log.warning("token revocation failed", extra={"network": row.network, "error": str(exc)})
        return str(getattr(exc, "detail", exc))
    return None


async def disconnect(
    db: Database, registry: Registry, cipher: TokenCipher, person_id: int, account_id: UUID
) -> None:
    async with db.connection() as conn:
        row = await queries.account_row_by_public_id(conn, account_id)
    if row is None or row.person_id != person_id:
        raise NotFound(lazy_gettext("No such connected account"))
    problem = await _revoke(db, registry, cipher, row)
    async with db.transaction() as conn:
        await queries.delete_account(conn, row.id)
        await write_audit(
            conn,
            actor_id=person_id,
            action="connected_account.disconnected",
            subject_type="connected_account",
            subject_id=str(row.public_id),
            detail={"network": row.network, "revoked": problem is None, "revoke_error": problem},
        )


async def revoke_and_delete_all(
    conn: asyncpg.Connection, db: Database, registry: Registry, cipher: TokenCipher, person_id: int
) -> int:
    """Opt-out: revoke every connected account at its provider and delete them (in the caller's transaction)."""
    rows = await queries.account_rows_of_person(conn, person_id)
    for row in rows:
        problem = await _revoke(db, registry, cipher, row)
        await queries.delete_account(conn, row.id)
        await write_audit(
            conn,
            actor_id=None,
            action="connected_account.revoked_on_opt_out",
            subject_type="connected_account",
            subject_id=str(row.public_id),
            detail={"network": row.network, "revoked": problem is None, "revoke_error": problem},
        )
    return len(rows)


async def usable_auth(
    db: Database, registry: Registry, cipher: TokenCipher, account_id: int, *, force_refresh: bool = False
) -> tuple[AccountRow, AccountAuth]:
    """The account's credentials, refreshed first when they expire soon (or were just refused)."""
    failure: str | None = None
    async with db.transaction() as conn:
        row = await queries.lock_account(conn, account_id)
        if row is None:
            raise NeedsReconnect("The connected account was disconnected")
        if row.status != "active":
            raise NeedsReconnect("The connected account must be connected again")
        auth = _auth(row, cipher)
        due = row.expires_at is not None and row.expires_at <= datetime.now(UTC) + REFRESH_MARGIN
        if force_refresh or due:
            try:
                app = await client_app(db, registry, cipher, row.network, row.base_url)
                tokens = await registry.connector(row.network).refresh(app=app, auth=auth)
            except Transient:
                raise
            except (ConnectorError, Conflict) as exc:
                failure = str(getattr(exc, "detail", exc))
                await queries.mark_needs_reconnect(conn, row.id, failure[:300])
            else:
                await queries.save_tokens(
                    conn,
                    row.id,
                    access_token=cipher.encrypt(tokens.access_token),
                    refresh_token=cipher.encrypt_optional(tokens.refresh_token),
                    expires_at=tokens.expires_at,
                )
                auth = AccountAuth(
                    base_url=auth.base_url,
                    external_id=auth.external_id,
                    access_token=tokens.access_token,
                    refresh_token=tokens.refresh_token or auth.refresh_token,
                )
    if failure is not None:
        raise NeedsReconnect(f"The network no longer accepts this connection ({failure})")
    return row, auth


async def declare_audience(db: Database, person_id: int, network: str, followers: int) -> list[AudienceRead]:
    async with db.transaction() as conn:
        await queries.upsert_declared_audience(conn, person_id, network, followers)
        return await queries.audiences_of_person(conn, person_id)


async def audiences(db: Database, person_id: int) -> list[AudienceRead]:
    async with db.connection() as conn:
        return await queries.audiences_of_person(conn, person_id)


async def rotate_token_keys(db: Database, cipher: TokenCipher, *, batch: int = 500) -> dict[str, int]:
    """Re-encrypt every stored token and secret under the first key; afterwards old keys can be removed."""
    done: dict[str, int] = {}
    for table, start in (("connected_accounts", 0), ("oauth_states", b""), ("mastodon_apps", "")):
        after: Any = start
        count = 0
        while True:
            async with db.transaction() as conn:
                rows = await queries.encrypted_values(conn, table, after, batch)
                if not rows:
                    break
                rotated = [
                    (r.key, cipher.rotate(r.first), None if r.second is None else cipher.rotate(r.second))
                    for r in rows
                ]
                await queries.store_rotated(conn, table, rotated)
            after = rows[-1].key
            count += len(rows)
        done[table] = count
    return done


async def purge_states(db: Database) -> int:
    async with db.transaction() as conn:
        return await queries.purge_oauth_states(conn, datetime.now(UTC) - timedelta(days=1))


def reconnect_reason(exc: NeedsReconnect | Unsupported) -> str:
    return getattr(exc, "detail", str(exc))


async def publication(db: Database, person_id: int, share_id: UUID) -> PublicationRead:
    """Only the sharer reads it (compliance reads shares through the compliance queue)."""
    async with db.connection() as conn:
        found = await queries.publication_of_share(conn, share_id)
    if found is None or found[0] != person_id:
        raise NotFound(lazy_gettext("There is no direct share of yours with this id"))
    return found[1]


async def account_for(conn: asyncpg.Connection, person_id: int, network: str) -> AccountRow | None:
    """The person's connected account on `network`, if any (read in the caller's transaction)."""
    return await queries.account_for(conn, person_id, network)


async def save_followers(conn: asyncpg.Connection, account_id: int, followers: int) -> None:
    """Remember an account's follower count as the network reported it now."""
    await queries.save_followers(conn, account_id, followers)
