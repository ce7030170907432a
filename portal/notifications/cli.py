"""Commands for cron: send the mail queue, send the digests."""

import click
from flask.cli import AppGroup

from portal.notifications import digest, mail

mail_cli = AppGroup("mail", help="The e-mail queue.")
digest_cli = AppGroup("digest", help="Daily and weekly e-mail digests.")


@mail_cli.command("flush")
@click.option("--limit", default=200, show_default=True, help="Most mails to send.")
def flush_command(limit: int):
    """Send the mail that is due; failures wait for a later run."""
    if not mail.enabled():
        click.echo("MAIL_SERVER is not set: nothing is queued or sent.")
        return
    result = mail.flush(limit=limit)
    click.echo(
        f"sent {result.sent}, retrying later {result.retrying}, failed {result.failed}"
    )
    for error in result.errors[:5]:
        click.echo(f"  {error}", err=True)
    if result.retrying or result.failed:
        raise SystemExit(1)


@digest_cli.command("send")
@click.option(
    "--period", type=click.Choice(["daily", "weekly"]), required=True, help="Which."
)
def send_command(period: str):
    """Queue the digests of the last closed day or week (safe to run again)."""
    if not mail.enabled():
        click.echo("MAIL_SERVER is not set: no digest is queued.")
        return
    result = digest.send_digests(period)
    click.echo(
        f"{period} digest {result.window_start:%Y-%m-%d} – "
        f"{result.window_end:%Y-%m-%d}: queued {result.queued}; "
        "run `flask --app portal mail flush` to send them."
    )
