"""``flask accounts …``: import customer accounts from a CRM export."""

import contextlib

import click
from flask.cli import AppGroup

from portal.accounts.csv_import import import_csv
from portal.errors import DomainError
from portal.extensions import db

accounts_cli = AppGroup("accounts", help="Import and maintain customer accounts.")


@accounts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the file and count the changes; write nothing.",
)
def import_command(path, dry_run):
    """Create or update accounts from the CSV file PATH (upsert by crm_ref)."""
    with open(path, "rb") as f:
        data = f.read()
    with contextlib.ExitStack() as stack:
        bar = None

        def advance(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = stack.enter_context(
                    click.progressbar(length=total, label="Importing rows")
                )
            bar.update(1)

        try:
            report = import_csv(data, actor=None, dry_run=dry_run, progress=advance)
        except DomainError as e:
            db.session.rollback()
            raise click.ClickException(e.message) from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(
        f"{'Dry run, nothing written: ' if dry_run else ''}"
        f"{report.rows} rows read ({report.encoding}): {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.errors)} refused."
    )
    if report.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(report.ignored_columns)}")
    for line, message in report.errors:
        click.echo(f"  line {line}: {message}")
