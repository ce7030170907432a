"""``flask --app portal files …``"""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.files import service


@click.group("files", help="Uploaded files.")
def files_cli():
    pass


@files_cli.command("gc")
@click.option(
    "--grace-hours",
    type=int,
    default=None,
    help="Keep what is younger than this (default FILES_GC_GRACE_HOURS, 24).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@with_appcontext
def gc_command(grace_hours, dry_run):
    """Remove unclaimed drafts and stored contents no file needs any more."""
    hours = (
        grace_hours
        if grace_hours is not None
        else current_app.config["FILES_GC_GRACE_HOURS"]
    )
    grace = timedelta(hours=hours)
    report = service.gc(grace, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    orphans = service.sweep_storage(grace, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"{verb}: {report.drafts} unclaimed drafts, {report.blobs} unreferenced "
        f"contents, {orphans} stored objects"
    )
