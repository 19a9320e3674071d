"""The `chatlytics` command: serve, migrate, keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatlytics.settings import Settings
from chatlytics.store import keys as keystore
from chatlytics.store.database import Database
from chatlytics.store.migrate import upgrade

app = typer.Typer(help="Analytics for website chatbots.", no_args_is_help=True)
keys_app = typer.Typer(help="List, create and revoke API keys.", invoke_without_command=True)
app.add_typer(keys_app, name="keys")
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
    if created:
        console.print("[bold yellow]New API keys (shown once, stored hashed):[/]")
        for role, key in created.items():
            console.print(f"  {role:<6} {key}")
    elif not (settings.write_keys or settings.read_keys or settings.admin_keys):
        console.print(
            "API keys exist in the database (`chatlytics keys` lists them; "
            "`chatlytics keys create --role read` makes a new one)."
        )
    uvicorn.run(
        create_app(settings, db=db), host=host, port=port, log_level="info", proxy_headers=True
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
