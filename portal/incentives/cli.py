"""``flask incentives …``: rebuild the ledger's view from the content."""

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.incentives import service, totals

incentives_cli = AppGroup("incentives", help="Points, rules and badges.")


@incentives_cli.command("recompute")
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Write correcting rows (reversals and awards); nothing is edited or deleted.",
)
def recompute(apply_):
    """Derive every award from the content and the rules in force, and report
    where the stored ledger differs (after rule changes, or missed events)."""
    stale = totals.differences()
    differences, awarded = service.recompute(apply=apply_)
    for d in differences:
        click.echo(
            f"{d.kind:8} user {d.user_id:>6}  {d.rule:24} {d.key:24} "
            f"ledger {d.ledger:>5}  expected {d.expected:>5}"
        )
    for user_id, month, stored, summed in stale:
        click.echo(
            f"{'total':8} user {user_id:>6}  {month:%Y-%m}  "
            f"stored {stored if stored is not None else '-':>5}  "
            f"ledger {summed if summed is not None else '-':>5}"
        )
    if apply_:
        db.session.commit()
        click.echo(
            f"{len(differences)} differences corrected; {len(awarded)} badges awarded."
        )
        if stale:
            click.echo(f"{len(stale)} monthly totals rebuilt from the ledger.")
    else:
        db.session.rollback()
        click.echo(
            f"{len(differences)} differences"
            + (" (run again with --apply to correct them)." if differences else ".")
        )
        if stale:
            click.echo(
                f"{len(stale)} monthly totals differ from the ledger "
                "(run again with --apply to rebuild them)."
            )
