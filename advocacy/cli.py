"""The `advocacy` command: up, serve, worker, migrate, create-admin, import-people."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
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
    with EmbeddedServers(
        data_dir,
        database_url=os.environ.get("DATABASE_URL") or None,
        redis_url=os.environ.get("REDIS_URL") or None,
    ) as servers:
        settings = _settings(
            database_url=servers.database_url,
            redis_url=servers.redis_url,
            data_dir=str(data_dir),
            public_base_url=os.environ.get("PUBLIC_BASE_URL") or f"http://{args.host}:{args.port}",
        )
        applied = asyncio.run(prepare_database(settings, demo=not args.no_demo))
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
    build_worker(settings, burst=args.burst).run()


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
        else getpass.getpass("Password (10+ characters): ")
    )
    if len(password) < 10:
        fail("the password must have at least 10 characters")

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
    from advocacy.people.service import import_people

    settings = _settings()
    text = Path(args.file).read_text(encoding="utf-8-sig")

    async def run() -> int:
        db = await Database.connect(settings.database_url, min_size=1, max_size=2)
        try:
            report = await import_people(db, text, dry_run=args.dry_run, actor_id=None)
        finally:
            await db.close()
        verb = "would create" if not report.applied else "created"
        print(f"{verb} {report.created}, updated {report.updated}, unchanged {report.unchanged}")
        for error in report.errors:
            print(f"  line {error.line}: {error.reason}", file=sys.stderr)
        if report.errors:
            print("nothing was imported: fix the lines above", file=sys.stderr)
        return 1 if report.errors else 0

    raise SystemExit(asyncio.run(run()))


def cmd_rebuild_leaderboards(args: argparse.Namespace) -> None:
    from redis.asyncio import Redis

    from advocacy.db.pool import Database
    from advocacy.incentives.service import rebuild_boards

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


def cmd_rebuild_leaderboards(args: argparse.Namespace) -> None:
    from redis.asyncio import Redis

    from advocacy.db.pool import Database
    from advocacy.incentives.service import rebuild_boards

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
    people.set_defaults(func=cmd_import_people)

    sub.add_parser(
        "rebuild-leaderboards", help="recompute every leaderboard in Redis from the points ledger"
    ).set_defaults(func=cmd_rebuild_leaderboards)
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
