"""Settings: one Struct read from the environment (and an optional `.env`); the only place os.environ is read."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta

from advocacy.core.language import LanguageCode


class SettingsError(Exception):
    """A setting is missing or wrong; the message names the variable and what it accepts."""


StorageKind = Literal["local", "s3"]
LogLevel = Literal["debug", "info", "warning", "error"]

# (variable, what it accepts) for each field; the variable is the field name in capitals.
_ACCEPTS: dict[str, str] = {
    "database_url": "a postgresql:// URL, e.g. postgresql://user:pass@host:5432/advocacy",
    "redis_url": "a redis:// or unix:// URL, e.g. redis://localhost:6379/0",
    "redis_namespace": "a key prefix of letters, digits, ':' '_' '-' (1 to 40 characters)",
    "secret_key": "a random string of at least 32 characters (python -c 'import secrets; "
    "print(secrets.token_urlsafe(48))')",
    "public_base_url": "an http:// or https:// URL without a path, e.g. https://advocacy.example.com",
    "default_language": "fr or en",
    "data_dir": "a folder path",
    "max_body_bytes": "an integer number of bytes between 1024 and 104857600",
    "max_upload_bytes": "an integer number of bytes between 1024 and 1073741824",
    "max_image_pixels": "an integer between 1000000 and 500000000",
    "consent_validity_days": "an integer number of days between 1 and 3650",
    "session_ttl_hours": "an integer number of hours between 1 and 2160",
    "token_max_days": "an integer number of days between 1 and 3650",
    "login_attempts_per_15min": "an integer between 1 and 1000",
    "auth_cache_seconds": "a number of seconds between 0 and 600",
    "feed_cache_seconds": "a number of seconds between 0 and 600 (0 turns the feed page cache off)",
    "db_pool_min": "an integer between 1 and 100",
    "db_pool_max": "an integer between 1 and 500",
    "outbox_max_attempts": "an integer between 1 and 100",
    "outbox_redeliver_seconds": "a number of seconds between 1 and 3600",
    "keep_alive_seconds": "a number of seconds between 1 and 3600 (longer than the load balancer's idle timeout)",
    "storage": "local or s3",
    "s3_endpoint_url": "an https:// URL of an S3-compatible endpoint",
    "s3_bucket": "a bucket name",
    "s3_region": "a region name",
    "s3_access_key_id": "an access key id",
    "s3_secret_access_key": "a secret access key",
    "log_level": "debug, info, warning or error",
    "fetch_allow_private": "true or false (true only for tests: lets outbound fetches reach private addresses)",
    "access_log": "true or false",
    "token_encryption_keys": "comma-separated Fernet keys (python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'); the first encrypts, every one decrypts",
    "linkedin_client_id": "the LinkedIn app's client id",
    "linkedin_client_secret": "the LinkedIn app's client secret",
    "x_client_id": "the X app's OAuth 2 client id",
    "x_client_secret": "the X app's OAuth 2 client secret (empty for a public client)",
    "linkedin_auth_url": "an http(s) URL, default https://www.linkedin.com",
    "linkedin_api_url": "an http(s) URL, default https://api.linkedin.com",
    "x_auth_url": "an http(s) URL, default https://x.com",
    "x_api_url": "an http(s) URL, default https://api.x.com",
    "bluesky_service_url": "an http(s) URL of a PDS or entryway, default https://bsky.social",
    "connector_timeout_seconds": "a number of seconds between 1 and 120",
    "publish_max_inline_wait_seconds": "a number of seconds between 0 and 600",
    "mail_transport": "log (print each message and its links in the log: development) or smtp",
    "mail_from": "an address, optionally with a name, e.g. Advocacy <no-reply@example.com> (default: no-reply@"
    "the host of PUBLIC_BASE_URL)",
    "smtp_host": "the SMTP server's host name, e.g. smtp.example.com (needed when MAIL_TRANSPORT=smtp)",
    "smtp_port": "a port number between 1 and 65535 (587 for STARTTLS, 465 for TLS)",
    "smtp_security": "starttls (upgrade a plain connection, port 587), tls (TLS from the start, port 465) or none "
    "(a local relay only)",
    "smtp_username": "the SMTP user name (empty: no authentication)",
    "smtp_password": "the SMTP password",
    "smtp_timeout_seconds": "a number of seconds between 1 and 300",
    "smtp_ca_file": "a PEM file of the certificates to trust for the SMTP server (empty: the system's)",
    "invitation_valid_days": "an integer number of days between 1 and 90",
    "password_reset_valid_minutes": "an integer number of minutes between 5 and 1440",
    "password_resets_per_hour": "an integer between 1 and 100",
    "metrics_token": "a random string of at least 32 characters, or empty (then /metrics answers loopback only)",
    "trusted_proxies": "comma-separated IP addresses or networks (CIDR) of the reverse proxies in front, or *",
    "oidc_issuer": "the OpenID provider's issuer URL (https://, or http:// on a loopback address), e.g. "
    "https://example.okta.com or https://login.microsoftonline.com/<tenant id>/v2.0; empty: OIDC off",
    "oidc_client_id": "the client id the provider gave this application (needed with OIDC_ISSUER)",
    "oidc_client_secret": "the client secret the provider gave this application",
    "oidc_scopes": "space-separated scopes including openid, e.g. openid email profile groups",
    "oidc_display_name": "the provider's name on the sign-in button, e.g. Okta (1 to 60 characters)",
    "saml_idp_metadata": "the identity provider's SAML metadata: a file path or an https:// URL (empty: SAML off)",
    "saml_sp_key_file": "a PEM file of the private key that signs our SAML requests (advocacy saml-keygen makes one)",
    "saml_sp_cert_file": "a PEM file of the certificate of that key, published in our SAML metadata",
    "saml_entity_id": "our SAML entity id, a URL (default: PUBLIC_BASE_URL/saml/metadata)",
    "saml_idp_name": "the provider's name on the sign-in button, e.g. Okta (default: your organisation's account)",
    "saml_clock_skew_seconds": "a number of seconds between 0 and 600 allowed between the provider's clock and ours",
}


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    database_url: str
    redis_url: str
    secret_key: Annotated[str, Meta(min_length=32)]
    redis_namespace: Annotated[str, Meta(pattern=r"^[A-Za-z0-9:_-]{1,40}$")] = "advocacy"
    public_base_url: str = "http://127.0.0.1:8000"
    default_language: LanguageCode = "fr"
    data_dir: str = ".advocacy"
    max_body_bytes: Annotated[int, Meta(ge=1024, le=104_857_600)] = 1_048_576
    max_upload_bytes: Annotated[int, Meta(ge=1024, le=1_073_741_824)] = 20 * 1024 * 1024
    max_image_pixels: Annotated[int, Meta(ge=1_000_000, le=500_000_000)] = 50_000_000
    consent_validity_days: Annotated[int, Meta(ge=1, le=3650)] = 365
    session_ttl_hours: Annotated[int, Meta(ge=1, le=2160)] = 12
    token_max_days: Annotated[int, Meta(ge=1, le=3650)] = 365
    login_attempts_per_15min: Annotated[int, Meta(ge=1, le=1000)] = 10
    auth_cache_seconds: Annotated[float, Meta(ge=0, le=600)] = 60.0
    feed_cache_seconds: Annotated[float, Meta(ge=0, le=600)] = 30.0
    db_pool_min: Annotated[int, Meta(ge=1, le=100)] = 2
    db_pool_max: Annotated[int, Meta(ge=1, le=500)] = 10
    outbox_max_attempts: Annotated[int, Meta(ge=1, le=100)] = 8
    # How long `advocacy serve` keeps an idle client connection open. It must outlast the load balancer's
    # own idle timeout (AWS ALB, nginx and HAProxy default to 60 s or less): otherwise the balancer may send
    # a request on a connection the server is closing that instant, and the request is dropped unanswered.
    keep_alive_seconds: Annotated[float, Meta(ge=1, le=3600)] = 75.0
    # An outbox row delivered this long ago and not done is delivered again (its worker may have died).
    outbox_redeliver_seconds: Annotated[float, Meta(ge=1, le=3600)] = 60.0
    storage: StorageKind = "local"
    # Tests only: let outbound fetches of typed URLs (feeds, Open Graph) reach private/loopback addresses.
    fetch_allow_private: bool = False
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    log_level: LogLevel = "info"
    access_log: bool = True
    # Connected accounts (advocacy/connectors): tokens are encrypted with these keys; unset, a key derived
    # from SECRET_KEY is used (fine for a laptop, not for production: set TOKEN_ENCRYPTION_KEYS).
    token_encryption_keys: str = ""
    linkedin_client_id: str = ""
    linkedin_client_secret: str = ""
    x_client_id: str = ""
    x_client_secret: str = ""
    linkedin_auth_url: str = "https://www.linkedin.com"
    linkedin_api_url: str = "https://api.linkedin.com"
    x_auth_url: str = "https://x.com"
    x_api_url: str = "https://api.x.com"
    bluesky_service_url: str = "https://bsky.social"
    connector_timeout_seconds: Annotated[float, Meta(ge=1, le=120)] = 15.0
    # A Retry-After up to this long is waited out inside the publish job; longer ones reschedule the job.
    publish_max_inline_wait_seconds: Annotated[float, Meta(ge=0, le=600)] = 30.0
    # Outgoing mail (advocacy/mail): "log" prints each message and its links in the log instead of sending it.
    mail_transport: Literal["log", "smtp"] = "log"
    mail_from: str = ""
    smtp_host: str = ""
    smtp_port: Annotated[int, Meta(ge=1, le=65535)] = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: Annotated[float, Meta(ge=1, le=300)] = 30.0
    smtp_ca_file: str = ""
    # Invitations and password resets (advocacy/identity)
    invitation_valid_days: Annotated[int, Meta(ge=1, le=90)] = 7
    password_reset_valid_minutes: Annotated[int, Meta(ge=5, le=1440)] = 60
    password_resets_per_hour: Annotated[int, Meta(ge=1, le=100)] = 5
    # /metrics wants `Authorization: Bearer <this>`; empty, it answers only callers on the loopback address.
    metrics_token: str = ""
    # Whose X-Forwarded-For / X-Forwarded-Proto `advocacy serve` believes: the client address that clicks,
    # anti-gaming and sign-in throttling see is the one these proxies report.
    trusted_proxies: str = "127.0.0.1,::1"
    # OpenID Connect single sign-on (advocacy/identity/sso/oidc.py); an empty issuer turns it off.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_display_name: Annotated[str, Meta(min_length=1, max_length=60)] = "OpenID Connect"
    # SAML 2.0 single sign-on (advocacy/identity/saml): on when the provider's metadata is given.
    saml_idp_metadata: str = ""
    saml_sp_key_file: str = ""
    saml_sp_cert_file: str = ""
    saml_entity_id: str = ""
    saml_idp_name: str = ""
    saml_clock_skew_seconds: Annotated[int, Meta(ge=0, le=600)] = 90

    def __post_init__(self) -> None:
        _check_url("database_url", self.database_url, ("postgresql", "postgres"))
        _check_url("redis_url", self.redis_url, ("redis", "rediss", "unix"))
        base = urlsplit(self.public_base_url)
        if base.scheme not in ("http", "https") or not base.netloc or base.path not in ("", "/"):
            raise SettingsError(_explain("public_base_url", self.public_base_url))
        if self.db_pool_min > self.db_pool_max:
            raise SettingsError("DB_POOL_MIN must not exceed DB_POOL_MAX")
        if self.storage == "s3" and not (self.s3_bucket and self.s3_endpoint_url):
            raise SettingsError("STORAGE=s3 needs S3_ENDPOINT_URL and S3_BUCKET to be set")
        for field in (
            "linkedin_auth_url",
            "linkedin_api_url",
            "x_auth_url",
            "x_api_url",
            "bluesky_service_url",
        ):
            _check_url(field, getattr(self, field), ("http", "https"))
        if self.token_encryption_keys:
            _check_fernet_keys(self.token_encryption_keys)
        if self.mail_transport == "smtp" and not self.smtp_host:
            raise SettingsError("MAIL_TRANSPORT=smtp needs SMTP_HOST to be set")
        if self.mail_from and "@" not in self.mail_from:
            raise SettingsError(_explain("mail_from", self.mail_from))
        if self.metrics_token and len(self.metrics_token) < 32:
            raise SettingsError(_explain("metrics_token", "<hidden>"))
        _check_proxies(self.trusted_proxies)
        if self.oidc_issuer:
            _check_oidc(self)
        if self.saml_idp_metadata:
            _check_saml(self)

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")

    @property
    def sender(self) -> str:
        """The From of outgoing mail."""
        return self.mail_from or f"Advocacy <no-reply@{urlsplit(self.public_base_url).hostname}>"

    @property
    def saml_on(self) -> bool:
        return bool(self.saml_idp_metadata)

    @property
    def saml_sp_entity_id(self) -> str:
        return self.saml_entity_id or f"{self.base_url}/saml/metadata"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    def replace(self, **changes: Any) -> Settings:
        return msgspec.structs.replace(self, **changes)


def _explain(field: str, value: object) -> str:
    return f"{field.upper()}={value!r} is not valid: expected {_ACCEPTS.get(field, 'a valid value')}"


def _check_url(field: str, value: str, schemes: tuple[str, ...]) -> None:
    if urlsplit(value).scheme not in schemes:
        raise SettingsError(_explain(field, _redact(value)))


def _check_fernet_keys(value: str) -> None:
    import base64
    import binascii

    for key in value.split(","):
        try:
            ok = len(base64.urlsafe_b64decode(key.strip().encode())) == 32
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise SettingsError(_explain("token_encryption_keys", "<hidden>"))


def _check_proxies(value: str) -> None:
    """uvicorn quietly takes a malformed entry for a literal that never matches: refuse it here instead."""
    import ipaddress

    entries = [e.strip() for e in value.split(",") if e.strip()]
    if entries == ["*"]:
        return
    for entry in entries:
        try:
            if "/" in entry:
                ipaddress.ip_network(entry, strict=False)
            else:
                ipaddress.ip_address(entry)
        except ValueError:
            raise SettingsError(_explain("trusted_proxies", value)) from None


def _check_oidc(settings: Settings) -> None:
    import ipaddress

    issuer = urlsplit(settings.oidc_issuer)
    loopback = False
    try:
        loopback = ipaddress.ip_address(issuer.hostname or "").is_loopback
    except ValueError:
        loopback = issuer.hostname == "localhost"
    if not issuer.netloc or not (issuer.scheme == "https" or (issuer.scheme == "http" and loopback)):
        raise SettingsError(_explain("oidc_issuer", settings.oidc_issuer))
    if not settings.oidc_client_id:
        raise SettingsError("OIDC_ISSUER needs OIDC_CLIENT_ID to be set: " + _ACCEPTS["oidc_client_id"])
    if "openid" not in settings.oidc_scopes.split():
        raise SettingsError(_explain("oidc_scopes", settings.oidc_scopes))


def _check_saml(settings: Settings) -> None:
    metadata = settings.saml_idp_metadata
    if urlsplit(metadata).scheme in ("http", "https"):
        if not metadata.startswith("https://") and not settings.fetch_allow_private:
            raise SettingsError(_explain("saml_idp_metadata", metadata))
    elif not Path(metadata).is_file():
        raise SettingsError(_explain("saml_idp_metadata", metadata))
    for field in ("saml_sp_key_file", "saml_sp_cert_file"):
        if not Path(getattr(settings, field)).is_file():
            raise SettingsError(f"SAML_IDP_METADATA is set: {field.upper()} must name {_ACCEPTS[field]}")
    if settings.saml_entity_id and urlsplit(settings.saml_entity_id).scheme not in ("http", "https", "urn"):
        raise SettingsError(_explain("saml_entity_id", settings.saml_entity_id))


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


_FIELDS = set(Settings.__struct_fields__)
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | Path | None = ".env",
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build Settings from the environment (a `.env` file fills what the environment leaves unset)."""
    values: dict[str, Any] = {}
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values

        for key, raw in dotenv_values(env_file).items():
            if raw is not None and key.lower() in _FIELDS:
                values[key.lower()] = raw
    source = os.environ if environ is None else environ
    for key, raw in source.items():
        if key.lower() in _FIELDS and key.isupper():
            values[key.lower()] = raw
    if overrides:
        values.update({k: v for k, v in overrides.items() if v is not None})
    for key, raw in list(values.items()):
        if key in ("access_log", "fetch_allow_private") and isinstance(raw, str):
            if raw.lower() not in _BOOLS:
                raise SettingsError(_explain(key, raw))
            values[key] = _BOOLS[raw.lower()]
    for required in ("database_url", "redis_url"):
        if not values.get(required):
            raise SettingsError(f"{required.upper()} is not set: expected {_ACCEPTS[required]}")
    if not values.get("secret_key"):
        values["secret_key"] = _persistent_secret(Path(str(values.get("data_dir", ".advocacy"))))
    try:
        return msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_validation_message(exc, values)) from None


def _validation_message(exc: msgspec.ValidationError, values: Mapping[str, Any]) -> str:
    text = str(exc)
    if " - at `$." in text:
        field = text.rsplit(" - at `$.", 1)[1].rstrip("`").split("[")[0].split(".")[0]
        if field in _FIELDS:
            shown = _redact(str(values.get(field, ""))) if "url" in field else values.get(field, "")
            if field in ("secret_key", "smtp_password", "oidc_client_secret"):
                shown = "<hidden>"
            return _explain(field, shown)
    if text.startswith("Object contains unknown field"):
        return text
    return str(exc.__cause__ or exc)


def _persistent_secret(data_dir: Path) -> str:
    """A secret for local runs: generated once and kept in the data folder, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
