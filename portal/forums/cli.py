"""``flask forums …``: keep the forums' counters true."""

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.forums import service

forums_cli = AppGroup("forums", help="Maintain the forums.")


@forums_cli.command("recount")
def recount():
    """Rebuild reply counts, post counts, scores and last activity from the rows."""
    changed = service.recount()
    db.session.commit()
    click.echo(
        f"Recounted: {changed['threads']} threads, {changed['posts']} posts, "
        f"{changed['forums']} forums corrected."
    )
