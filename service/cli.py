"""The bbh-sheets command line."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

import click
import requests

from service import logs
from service.google_setup import ROLES
from service.google_setup import check as check_google
from service.google_setup import share as share_google
from service.locks import WRITE_LOCK, LockHeldError, hold
from service.loop import SyncLoop, run_once
from service.mirror import Mirror
from service.rebuild import repair as run_repair
from service.rebuild import replay as run_replay
from service.rebuild import verify as find_differences
from service.settings import (
    Settings,
    SettingsError,
    ensure_token,
    read_token,
    webhook_url,
)
from service.simulate import SimulationError, post_bodies
from service.store import EventLog, LogError
from service.targets.base import Target, TargetError
from service.targets.factory import make_target
from service.times import parse_as_of
from service.traffic import generate_bodies
from service.transfer import ImportFileError, export_lines, import_file

logger = logging.getLogger(__name__)


class Context:
    """What every command shares: the settings, read once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def target(self, workbook: Path | None = None) -> Target:
        try:
            return make_target(self.settings, workbook)
        except TargetError as ex:
            raise click.ClickException(str(ex)) from ex

    def open_log(self) -> EventLog:
        try:
            return EventLog(self.settings.database)
        except LogError as ex:
            raise click.ClickException(
                f"Cannot open the log at {self.settings.database} ({ex}); check "
                "BBH_DATA_DIR and the disk."
            ) from ex


pass_context = click.make_pass_decorator(Context)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Keep BotBanHang webhook events and show them as spreadsheet tabs."""
    logs.configure()
    try:
        settings = Settings.from_env()
    except SettingsError as ex:
        raise click.UsageError(str(ex)) from ex
    if settings.webhook_token:
        logs.redact([settings.webhook_token])
    ctx.obj = Context(settings)


@cli.command()
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Web workers.",
)
@pass_context
def serve(context: Context, workers: int) -> None:
    """Start the webhook service under gunicorn."""
    from service.server import WebServer

    settings = context.settings
    token, generated = ensure_token(settings)
    logs.redact([token])
    log = context.open_log()
    Mirror(log)
    log.close()
    target = context.target()
    if generated:
        click.echo(
            "Webhook URL (give it to BotBanHang; it is shown only this once): "
            + webhook_url(settings, token)
        )
    logger.info(
        "service starting bind=%s data_dir=%s workers=%d target=%s language=%s",
        settings.bind,
        settings.data_dir,
        workers,
        target.name,
        settings.language,
    )
    WebServer(settings, token, workers=workers, target_name=target.name).run()


@cli.command()
@click.option("--once", is_flag=True, help="Run one cycle and exit.")
@click.option("--parent-pid", type=int, hidden=True)
@pass_context
def sync(context: Context, once: bool, parent_pid: int | None) -> None:
    """Write new events to the target; with --once, one cycle only."""
    target = context.target()
    if once:
        try:
            result = run_once(context.settings, target)
        except (TargetError, LogError) as ex:
            raise click.ClickException(str(ex)) from ex
        click.echo(
            f"Synced {result.events} events to the {target.label}: "
            f"{result.rows} rows in {result.requests} writes.",
            err=True,
        )
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    loop = SyncLoop(context.settings, lambda: target, parent_pid=parent_pid)
    try:
        loop.run(stop, wait_for_lock=parent_pid is not None)
    except LockHeldError as ex:
        raise click.ClickException(
            "Another sync loop runs for this data directory (is the service "
            "running?); stop it first, or use 'sync --once'."
        ) from ex


@cli.command()
@click.option(
    "--as-of",
    "as_of",
    metavar="TIME",
    help="Show the tabs as they were then (ISO 8601; shop time zone if none).",
)
@click.option(
    "--workbook",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this .xlsx file instead of the configured target.",
)
@pass_context
def replay(context: Context, as_of: str | None, workbook: Path | None) -> None:
    """Rebuild every tab of the target from the whole log."""
    settings = context.settings
    until = None if as_of is None else parse_as_of(as_of, settings.timezone)
    target = context.target(workbook)
    log = context.open_log()
    total = log.last_seq()
    show_bar = sys.stderr.isatty()
    with click.progressbar(
        length=total, label="Folding the log", file=sys.stderr, hidden=not show_bar
    ) as bar:
        try:
            with hold(settings.data_dir / WRITE_LOCK):
                result = run_replay(
                    log,
                    target,
                    settings.language,
                    until=until,
                    progress=bar.update,
                    keep_mirror=workbook is None,
                )
        except (TargetError, LogError) as ex:
            raise click.ClickException(str(ex)) from ex
    rows = ", ".join(f"{title} {count}" for title, count in result.rows.items())
    logger.info("replay done events=%d seconds=%.1f", result.events, result.seconds)
    click.echo(
        f"Replayed {result.events} events into the {target.label} in "
        f"{result.seconds:.1f} s; rows per tab: {rows}.",
        err=True,
    )


@cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@pass_context
def import_command(context: Context, file: click.utils.LazyFile) -> None:
    """Store the events of a JSON lines FILE (all or none)."""
    log = context.open_log()
    try:
        count = import_file(log, file)
    except ImportFileError as ex:
        raise click.ClickException(f"{ex} Nothing was imported.") from ex
    except UnicodeDecodeError as ex:
        raise click.ClickException(
            f"{file.name} is not UTF-8 text; save it as UTF-8 JSON lines."
        ) from ex
    except LogError as ex:
        raise click.ClickException(
            f"The log could not be written ({ex}); nothing was imported, retry."
        ) from ex
    logger.info("import done events=%d", count)
    click.echo(f"Imported {count} events.", err=True)


@cli.command()
@pass_context
def export(context: Context) -> None:
    """Write the whole log to stdout as JSON lines, in seq order."""
    log = context.open_log()
    out = click.get_text_stream("stdout", encoding="utf-8")
    for line in export_lines(log):
        out.write(line)
    out.flush()


@cli.command()
@click.option("--repair", is_flag=True, help="Write the differing cells back.")
@pass_context
def verify(context: Context, repair: bool) -> None:
    """Compare the target's cells with the log; exit 1 if any differ."""
    settings = context.settings
    target = context.target()
    log = context.open_log()
    try:
        with hold(settings.data_dir / WRITE_LOCK):
            differences = find_differences(log, target, settings.language)
            if repair and differences:
                run_repair(log, target, settings.language, differences)
    except (TargetError, LogError) as ex:
        raise click.ClickException(str(ex)) from ex
    for difference in differences:
        click.echo(
            f"{difference.tab}!{difference.cell}: expected "
            f"{difference.expected!r}, found {difference.found!r}"
        )
    logger.info("verify done differences=%d repaired=%s", len(differences), repair)
    if not differences:
        click.echo(f"The {target.label} matches the log.", err=True)
        return
    if repair:
        click.echo(f"Repaired {len(differences)} cells.", err=True)
        return
    click.echo(
        f"{len(differences)} cells differ from the log; run "
        "'bbh-sheets verify --repair' to write them back.",
        err=True,
    )
    sys.exit(1)


@cli.command()
@pass_context
def check(context: Context) -> None:
    """Tell in plain words whether the Google setup works, and how to fix it."""
    try:
        lines = check_google(context.settings)
    except TargetError as ex:
        raise click.ClickException(str(ex)) from ex
    for line in lines:
        click.echo(line)
    click.echo("All is well: the service can write this spreadsheet.")


@cli.command()
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="reader",
    show_default=True,
    help="reader may look; writer may also edit.",
)
@pass_context
def share(context: Context, email: str, role: str) -> None:
    """Share the spreadsheet with a team member's Google account EMAIL."""
    try:
        share_google(context.settings, email, role)
    except TargetError as ex:
        raise click.ClickException(str(ex)) from ex
    click.echo(f"Shared the spreadsheet with {email} as {role}.")


@cli.command()
@click.option("--events", default=500, show_default=True, help="Events to post.")
@click.option(
    "--rate", default=20.0, show_default=True, help="Events per second; 0: no pause."
)
@click.option("--seed", default=1, show_default=True, help="Same seed, same events.")
@click.option("--url", help="Service base URL [default: from BBH_BIND].")
@pass_context
def simulate(
    context: Context, events: int, rate: float, seed: int, url: str | None
) -> None:
    """Post realistic synthetic BotBanHang events to a running service."""
    settings = context.settings
    token = read_token(settings)
    if token is None:
        raise click.ClickException(
            f"There is no webhook token in {settings.data_dir} yet; start the "
            "service with 'make run' first, then simulate from the same folder."
        )
    logs.redact([token])
    base = (url or webhook_url(settings, "").rsplit("/webhook/", 1)[0]).rstrip("/")
    session = requests.Session()
    session.headers["X-Webhook-Token"] = token
    bodies = generate_bodies(events, seed)
    with click.progressbar(
        length=events, label="Posting events", hidden=not sys.stderr.isatty()
    ) as bar:
        try:
            result = post_bodies(
                base + "/webhook",
                bodies,
                rate or None,
                session,
                lambda done: bar.update(done - bar.pos),
            )
        except SimulationError as ex:
            raise click.ClickException(str(ex)) from ex
    click.echo(
        f"Posted {result.sent} events in {result.seconds:.1f} s: "
        f"{result.accepted} accepted, {result.refused} refused, "
        f"{result.failed} failed.",
        err=True,
    )


def main() -> None:
    """Run the command line; the console script's entry point."""
    cli(prog_name="bbh-sheets")


if __name__ == "__main__":
    sys.exit(main())
