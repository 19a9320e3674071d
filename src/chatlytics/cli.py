"""The `chatlytics` command: serve, migrate, keys; demo, up, simulate."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatlytics.lifecycle import register as register_lifecycle
from chatlytics.settings import Settings
from chatlytics.store import keys as keystore
from chatlytics.store.database import Database
from chatlytics.store.migrate import upgrade

app = typer.Typer(help="Analytics for website chatbots.", no_args_is_help=True)
keys_app = typer.Typer(help="List, create and revoke API keys.", invoke_without_command=True)
app.add_typer(keys_app, name="keys")
register_lifecycle(app)
console = Console()


def _database(settings: Settings) -> Database:
    return Database.connect(settings.sqlalchemy_url())


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest migration."""
    settings = Settings()
    db = _database(settings)
    try:
        upgrade(db)
    finally:
        db.dispose()
    console.print(f"[green]schema is current[/] on {settings.sqlalchemy_url().render_as_string()}")


def ensure_keys(settings: Settings, db: Database) -> dict[str, str]:
    """First start with no keys anywhere: create one key per role. Returns the new keys (if any)."""
    if settings.write_keys or settings.read_keys or settings.admin_keys:
        return {}
    with db.write() as conn:
        if keystore.list_keys(conn):
            return {}
        return {
            role: keystore.create_key(conn, role, "generated on first start")
            for role in keystore.ROLES
        }


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Migrate, make sure keys exist, then serve the collector and analytics API."""
    import uvicorn

    from chatlytics.app import create_app

    settings = Settings()
    db = _database(settings)
    upgrade(db)
    created = ensure_keys(settings, db)
    host, port = host or settings.host, port or settings.port
    console.print(
        f"chatlytics on [bold]http://{host}:{port}[/] "
        f"(database {settings.sqlalchemy_url().render_as_string()})"
    )
    _print_new_keys(settings, created)
    application = create_app(settings, db=db)
    # What is built by now lives as long as the process. Frozen, it is no longer walked by each full
    # garbage collection, which took about a tenth of the server's CPU per ingested event.
    gc.collect()
    gc.freeze()
    # An open dashboard stream would otherwise hold Ctrl+C at "Waiting for connections to close".
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )
    db.dispose()


@keys_app.callback()
def keys_default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        list_keys(show_revoked=False)


@keys_app.command("list")
def list_keys(
    show_revoked: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
) -> None:
    """List keys stored in the database (prefixes only; keys are stored hashed)."""
    db = _database(Settings())
    try:
        with db.read() as conn:
            rows = keystore.list_keys(conn, include_revoked=show_revoked)
    finally:
        db.dispose()
    table = Table("id", "role", "prefix", "label", "created", "revoked")
    for k in rows:
        table.add_row(
            str(k.id),
            k.role,
            k.prefix + "…",
            k.label,
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
        )
    console.print(table)


@keys_app.command("create")
def create_key(
    role: Annotated[str, typer.Option(help="write, read or admin.")],
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
) -> None:
    """Create a key and print it (the only time it is shown)."""
    if role not in keystore.ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(keystore.ROLES)}")
    db = _database(Settings())
    try:
        with db.write() as conn:
            key = keystore.create_key(conn, role, label)
    finally:
        db.dispose()
    console.print(key, soft_wrap=True, highlight=False)


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key's id or prefix, as `keys list` shows.")],
) -> None:
    """Revoke a key; running servers stop accepting it within KEY_CACHE_SECONDS."""
    db = _database(Settings())
    try:
        with db.write() as conn:
            count = keystore.revoke_key(conn, key_id.rstrip("…"))
    finally:
        db.dispose()
    if not count:
        console.print(f"[red]no active key matches {key_id!r}[/]")
        raise typer.Exit(1)
    console.print(f"revoked {count} key(s)")


# The demo: `demo` serves the reference chatbot alone, `up` serves it with the collector (what
# `make run` calls), `simulate` sends virtual visitors to it.

DEMO_KEY_LABEL = "demo"


def rotate_demo_key(db: Database) -> str:
    """A fresh write key labelled `demo` for the demo's pages and chat server; older ones are revoked.

    The demo's key is printed in every page it serves, so it is replaced on each start rather than
    kept: a key that leaked from an old run stops working.
    """
    with db.write() as conn:
        for key in keystore.list_keys(conn):
            if key.label == DEMO_KEY_LABEL:
                keystore.revoke_key(conn, str(key.id))
        return keystore.create_key(conn, "write", DEMO_KEY_LABEL)


def _browser_host(host: str) -> str:
    """The address a browser on this machine uses to reach a server listening on `host`."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _print_new_keys(settings: Settings, created: dict[str, str]) -> None:
    if created:
        console.print("[bold yellow]New API keys (shown once, stored hashed):[/]")
        for role, key in created.items():
            console.print(f"  {role:<6} {key}", highlight=False)
    elif not (settings.write_keys or settings.read_keys or settings.admin_keys):
        console.print(
            "API keys exist in the database (`chatlytics keys` lists them; "
            "`chatlytics keys create --role read` makes a new one)."
        )


@app.command()
def demo(
    write_key: Annotated[
        str,
        typer.Option(envvar="CHATLYTICS_DEMO_WRITE_KEY", help="Write key for the collector."),
    ],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
    collector: Annotated[
        str, typer.Option(help="The collector's URL, as visitors' browsers reach it.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Serve the demo tyre shop and its chatbot alone, reporting to a running collector."""
    import uvicorn

    from chatlytics.demo import create_demo_app

    console.print(
        f"demo shop on [bold]http://{_browser_host(host)}:{port}[/], reporting to {collector}"
    )
    uvicorn.run(
        create_demo_app(collector, write_key),
        host=host,
        port=port,
        log_level="info",
    )


@app.command()
def up(
    host: Annotated[str | None, typer.Option(help="Address both servers listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="The collector's port.")] = None,
    demo_port: Annotated[int, typer.Option(help="The demo shop's port.")] = 8001,
) -> None:
    """Migrate, make sure keys exist, then serve the collector and the demo shop in one process."""
    import asyncio

    from chatlytics.app import create_app
    from chatlytics.dashboard import STATIC as DASHBOARD
    from chatlytics.demo import create_demo_app
    from chatlytics.demo.together import Site, group, serve_together
    from chatlytics.tracker import BUILT as TRACKER

    settings = Settings()
    db = _database(settings)
    upgrade(db)
    created = ensure_keys(settings, db)
    demo_key = rotate_demo_key(db)
    host, port = host or settings.host, port or settings.port
    base = f"http://{_browser_host(host)}:{port}"
    collector = create_app(settings, db=db)
    shop = create_demo_app(base, demo_key)
    console.print(f"chatlytics is up (database {settings.sqlalchemy_url().render_as_string()})")
    console.print(
        f"  collector      {base}  (POST /v1/events, the tracker at /t.js)", highlight=False
    )
    console.print(f"  API docs       {base}/docs", highlight=False)
    board = "sign in with a read key" if (DASHBOARD / "index.html").is_file() else "when built"
    console.print(f"  dashboard      {base}/dashboard  ({board})", highlight=False)
    console.print(f"  demo shop      http://{_browser_host(host)}:{demo_port}", highlight=False)
    console.print(f"  demo write key {demo_key}  (new at every start)", highlight=False)
    _print_new_keys(settings, created)
    if not TRACKER.is_file():
        console.print(
            "[yellow]The tracker is not built (`make tracker`): the demo page cannot load it, "
            "so its chats are not counted.[/]"
        )
    console.print("Send visitors: [bold]chatlytics simulate --users 20 --minutes 2[/]")
    servers = group(
        [Site(collector, host, port), Site(shop, host, demo_port)],
        log_level="info",
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )
    try:
        asyncio.run(serve_together(servers))
    finally:
        db.dispose()


@app.command()
def simulate(
    users: Annotated[int, typer.Option(min=1, help="How many visitors.")] = 20,
    minutes: Annotated[
        float, typer.Option(min=0, help="Wall time to spread them over; 0: as fast as possible.")
    ] = 1.0,
    seed: Annotated[
        int | None, typer.Option(help="Same seed, same visitor behaviour (default: random).")
    ] = None,
    demo: Annotated[str, typer.Option(help="The demo shop's URL.")] = "http://127.0.0.1:8001",
    collector: Annotated[
        str | None, typer.Option(help="The collector's URL (default: from the demo page).")
    ] = None,
    write_key: Annotated[
        str | None, typer.Option(help="Write key for widget events (default: the demo page's).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the summary to this JSON file.")
    ] = None,
) -> None:
    """Virtual visitors browse the demo shop, chat over its WebSocket, leave leads and leave."""
    import dataclasses
    import json
    import random

    from chatlytics.demo.simulate import Simulation, run_simulation
    from chatlytics.demo.widget import SimulationError

    seed = random.randrange(1_000_000) if seed is None else seed
    console.print(f"{users} visitors, seed {seed}, over {minutes:g} minute(s), on {demo}")
    try:
        summary = run_simulation(Simulation(users, minutes, seed, demo, collector, write_key))
    except SimulationError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    table = Table("what", "count", title=f"simulated in {summary.seconds:.1f} s")
    for name, value in vars(summary).items():
        if name not in ("failures", "seconds"):
            table.add_row(name.replace("_", " "), str(value))
    console.print(table)
    for failure in summary.failures:
        console.print(f"[red]{failure}[/]", highlight=False)
    if json_out is not None:
        report = dataclasses.asdict(summary) | {"seed": seed}
        json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if summary.failed_visitors or summary.events_rejected:
        raise typer.Exit(1)
