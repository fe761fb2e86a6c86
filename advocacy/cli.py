"""The `advocacy` command: up, serve, worker, migrate, create-admin, import-people."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import time
from pathlib import Path
from typing import Any

from advocacy.logs import configure_logging
from advocacy.runner import StartupError, check_port_free, fail, prepare_database, serve_all
from advocacy.settings import Settings, SettingsError, load_settings


def _settings(**overrides: Any) -> Settings:
    try:
        settings = load_settings(overrides=overrides)
    except SettingsError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    configure_logging(settings.log_level)
    return settings


class StartupProgress:
    """Says on the terminal what a start is doing, so a first start's half minute is not a silent one."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, step: str) -> None:
        print(f"[{time.monotonic() - self.started:5.1f} s] {step}…", flush=True)


def cmd_up(args: argparse.Namespace) -> None:
    from advocacy.embedded import EmbeddedServers

    data_dir = Path(args.data_dir)
    configure_logging(os.environ.get("LOG_LEVEL", "info"))
    check_port_free(args.host, args.port)
    # A bad setting ends it at once, before any embedded server starts (their URLs are not known yet).
    _settings(
        database_url=os.environ.get("DATABASE_URL") or "postgresql://embedded",
        redis_url=os.environ.get("REDIS_URL") or "redis://embedded",
        data_dir=str(data_dir),
    )
    progress = StartupProgress()
    with EmbeddedServers(
        data_dir,
        database_url=os.environ.get("DATABASE_URL") or None,
        redis_url=os.environ.get("REDIS_URL") or None,
        progress=progress,
    ) as servers:
        settings = _settings(
            database_url=servers.database_url,
            redis_url=servers.redis_url,
            data_dir=str(data_dir),
            public_base_url=os.environ.get("PUBLIC_BASE_URL") or f"http://{args.host}:{args.port}",
        )
        applied = asyncio.run(prepare_database(settings, demo=not args.no_demo, progress=progress))
        progress("starting the API, the web app and a worker")
        banner = [
            "",
            f"Advocacy is running at {settings.base_url}/  (API docs: {settings.base_url}/api/docs)",
            f"  data: {data_dir.resolve()}"
            + ("" if os.environ.get("DATABASE_URL") else "  (embedded PostgreSQL and Redis)"),
            f"  migrations applied now: {len(applied)}",
        ]
        if not args.no_demo:
            from advocacy.demo import DEMO_LOGINS, DEMO_PASSWORD

            banner.append(f"  demo logins (password {DEMO_PASSWORD!r}):")
            banner += [f"    {email:34s} {roles}" for email, roles in DEMO_LOGINS]
        if settings.mail_transport == "log":
            banner.append(
                "  mail is printed in this log, not sent (MAIL_TRANSPORT=log): look for 'mail not sent' lines"
                " with their links"
            )
            if not args.no_demo:
                from advocacy.demo import DEMO_INVITEE

                banner.append(
                    f"    {DEMO_INVITEE[0]} is invited: open its invitation's link (below) to set a password"
                )
            banner.append(
                f"    forgot a password? {settings.base_url}/password/forgot sends a reset link here too"
            )
        banner.append("Press Ctrl-C to stop.")
        asyncio.run(
            serve_all(settings, host=args.host, port=args.port, with_worker=True, on_ready="\n".join(banner))
        )
    print("Advocacy stopped.", flush=True)


def cmd_serve(args: argparse.Namespace) -> None:
    settings = _settings()
    check_port_free(args.host, args.port)
    asyncio.run(
        serve_all(
            settings,
            host=args.host,
            port=args.port,
            with_worker=False,
            on_ready=f"Advocacy API listening on {args.host}:{args.port}",
        )
    )


def cmd_worker(args: argparse.Namespace) -> None:
    from workers.settings import build_worker

    settings = _settings()
    asyncio.run(_check_stores(settings))
    build_worker(settings, burst=args.burst, ready_file=args.ready_file).run()


async def _check_stores(settings: Settings) -> None:
    from advocacy.runner import check_redis, connect_checked

    conn = await connect_checked(settings)
    await conn.close()
    await check_redis(settings)


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = _settings()
    applied = asyncio.run(prepare_database(settings, demo=False))
    print("applied: " + ", ".join(applied) if applied else "the database is up to date")


def cmd_create_admin(args: argparse.Namespace) -> None:
    from advocacy.db.pool import Database
    from advocacy.people.service import create_admin

    settings = _settings()
    password = os.environ.get("ADVOCACY_ADMIN_PASSWORD") or (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass("Password (12+ characters, not a common one): ")
    )
    from advocacy.core.i18n import translate
    from advocacy.identity.policy import password_problem

    # The same rules as every password a person chooses (advocacy/identity/policy.py).
    problem = password_problem(password, email=args.email, display_name=args.name)
    if problem is not None:
        fail(f"this password cannot be used: {translate(problem, 'en')}")

    async def run() -> None:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        try:
            person = await create_admin(db, email=args.email, display_name=args.name, password=password)
        finally:
            await db.close()
        print(f"admin ready: {person.email} ({', '.join(person.roles)})")

    asyncio.run(run())


def cmd_import_people(args: argparse.Namespace) -> None:
    from advocacy.db.pool import Database
    from advocacy.identity.service import invite_people_without_credential
    from advocacy.people.importing import import_people, parse_people_csv

    settings = _settings()
    text = Path(args.file).read_text(encoding="utf-8-sig")

    async def run() -> int:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        invited = 0
        try:
            report = await import_people(db, text, dry_run=args.dry_run, actor_id=None)
            if args.invite and report.applied:
                # Everyone in the file with no password and no open invitation: running it again invites nobody twice.
                emails = [row.person.email for row in parse_people_csv(text)[0]]
                invited = await invite_people_without_credential(db, settings, emails, actor_id=None)
        finally:
            await db.close()
        verb = "would create" if not report.applied else "created"
        print(f"{verb} {report.created}, updated {report.updated}, unchanged {report.unchanged}")
        if args.invite and report.applied:
            print(f"invited {invited} (the workers send the mail; MAIL_TRANSPORT=log prints the links)")
        for error in report.errors:
            print(f"  line {error.line}: {error.reason}", file=sys.stderr)
        if report.errors:
            print("nothing was imported: fix the lines above", file=sys.stderr)
        return 1 if report.errors else 0

    raise SystemExit(asyncio.run(run()))


def cmd_rebuild_leaderboards(args: argparse.Namespace) -> None:
    from redis.asyncio import Redis

    from advocacy.db.pool import Database
    from advocacy.incentives.boards.service import rebuild_boards

    settings = _settings()

    async def run() -> int:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        redis = Redis.from_url(settings.redis_url)
        try:
            return await rebuild_boards(db, redis, settings.redis_namespace)
        finally:
            await db.close()
            await redis.aclose()

    print(f"rebuilt {asyncio.run(run())} leaderboards from the points ledger")


def _charter_format(path: str, given: str | None) -> str:
    if given:
        return given
    suffix = Path(path).suffix.lower()
    if suffix in (".toml", ".json"):
        return suffix[1:]
    fail(f"cannot tell the format of {path}: name it .toml or .json, or pass --format")
    raise AssertionError  # unreachable: fail() exits


def cmd_charter_import(args: argparse.Namespace) -> None:
    import msgspec

    from advocacy.charter.service import import_charter, parse_charter_document
    from advocacy.core.errors import DomainError
    from advocacy.db.pool import Database

    settings = _settings()
    fmt = _charter_format(args.file, args.format)
    try:
        document = parse_charter_document(Path(args.file).read_bytes(), fmt)  # type: ignore[arg-type]
    except (OSError, DomainError) as exc:
        fail(str(exc))
        raise
    if args.material_change:
        document = msgspec.structs.replace(document, material_change=True)

    async def run() -> None:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        try:
            charter = await import_charter(db, document, activate=args.activate, actor_id=None)
        except DomainError as exc:
            fail(str(exc))
        finally:
            await db.close()
        state = "active" if charter.status == "active" else "a draft (activate it with --activate or the API)"
        print(f"charter version {charter.version} imported: {state}")

    asyncio.run(run())


def cmd_charter_export(args: argparse.Namespace) -> None:
    from advocacy.charter.service import export_charter
    from advocacy.core.errors import DomainError
    from advocacy.db.pool import Database

    settings = _settings()

    async def run() -> bytes:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        try:
            _, body = await export_charter(db, args.version, args.format)
        except DomainError as exc:
            fail(str(exc))
            raise
        finally:
            await db.close()
        return body

    sys.stdout.buffer.write(asyncio.run(run()))
    sys.stdout.flush()


def cmd_rotate_token_keys(args: argparse.Namespace) -> None:
    from advocacy.connectors.crypto import TokenCipher, TokenKeyMissing
    from advocacy.db.pool import Database
    from advocacy.key_rotation import rotate_all

    settings = _settings()

    async def run() -> dict[str, int]:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        try:
            return await rotate_all(db, TokenCipher.from_settings(settings))
        finally:
            await db.close()

    try:
        counts = asyncio.run(run())
    except TokenKeyMissing as exc:
        fail(str(exc))
    done = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"re-encrypted under the first TOKEN_ENCRYPTION_KEYS key: {done}")


def cmd_saml_keygen(args: argparse.Namespace) -> None:
    from advocacy.identity.saml.keys import write_pair

    try:
        key_path, cert_path = write_pair(Path(args.dir), args.name)
    except FileExistsError as exc:
        fail(str(exc))
    print(f"SAML_SP_KEY_FILE={key_path.resolve()}\nSAML_SP_CERT_FILE={cert_path.resolve()}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="advocacy", description="Employee advocacy service")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser(
        "up", help="everything on embedded PostgreSQL and Redis (unless URLs are set), with demo data"
    )
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    up.add_argument("--data-dir", default=".advocacy")
    up.add_argument("--no-demo", action="store_true", help="do not seed the demo organisation")
    up.set_defaults(func=cmd_up)

    serve = sub.add_parser("serve", help="the API and web UI alone (production; run N of them)")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server in a container listens on all interfaces
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="an arq worker with the outbox relay (run M of them)")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.add_argument(
        "--ready-file",
        default=None,
        help="a file that exists while the worker reaches Redis and takes jobs (for a readiness probe)",
    )
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    admin = sub.add_parser("create-admin", help="create an administrator (or make a person one)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=cmd_create_admin)

    people = sub.add_parser("import-people", help="import people from a CSV file (upsert by e-mail)")
    people.add_argument("file")
    people.add_argument("--dry-run", action="store_true", help="report what would change and every bad row")
    people.add_argument(
        "--invite",
        action="store_true",
        help="invite everyone in the file who has no password and no open invitation",
    )
    people.set_defaults(func=cmd_import_people)

    charter = sub.add_parser("charter", help="import or export a charter version (TOML or JSON)")
    charter_sub = charter.add_subparsers(dest="charter_command", required=True)
    charter_import = charter_sub.add_parser("import", help="draft a charter version from a TOML or JSON file")
    charter_import.add_argument("file")
    charter_import.add_argument(
        "--format", choices=["toml", "json"], help="default: from the file's extension"
    )
    charter_import.add_argument(
        "--activate", action="store_true", help="put the new version in force at once"
    )
    charter_import.add_argument(
        "--material-change", action="store_true", help="ambassadors must accept this version again"
    )
    charter_import.set_defaults(func=cmd_charter_import)
    charter_export = charter_sub.add_parser("export", help="write a charter version to standard output")
    charter_export.add_argument("--version", type=int, help="default: the version in force")
    charter_export.add_argument("--format", choices=["toml", "json"], default="toml")
    charter_export.set_defaults(func=cmd_charter_export)

    sub.add_parser(
        "rebuild-leaderboards", help="recompute every leaderboard in Redis from the points ledger"
    ).set_defaults(func=cmd_rebuild_leaderboards)
    sub.add_parser(
        "rotate-token-keys",
        help="re-encrypt every stored token and secret under the first TOKEN_ENCRYPTION_KEYS key (then drop old keys)",
    ).set_defaults(func=cmd_rotate_token_keys)
    keygen = sub.add_parser(
        "saml-keygen", help="make the key pair that signs our SAML requests (prints the two settings to set)"
    )
    keygen.add_argument("--dir", default=".advocacy/saml", help="where to write sp.key and sp.crt")
    keygen.add_argument("--name", default="advocacy-saml-sp", help="the certificate's common name")
    keygen.set_defaults(func=cmd_saml_keygen)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except StartupError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
