"""``flask --app portal experts rebuild|escalate``."""

import click
from flask.cli import AppGroup

from portal.experts import evidence, service
from portal.extensions import db

experts_cli = AppGroup("experts", help="Expertise evidence and routed questions.")


@experts_cli.command("rebuild")
def rebuild():
    """Recompute all expertise evidence from the forums and the wiki."""
    counts = evidence.rebuild()
    db.session.commit()
    click.echo(
        f"{counts['threads']} threads, {counts['pages']} pages, "
        f"{counts['evidence']} pieces of evidence"
    )


@experts_cli.command("escalate")
def escalate():
    """Route questions nobody answered in time to the next experts, then to the
    account manager. Safe to run from cron, as often as you like."""
    done = 0
    for request_id in service.due_requests():
        result = service.escalate_one(request_id)
        # One commit per question: a failure later leaves earlier ones done.
        db.session.commit()
        if result is not None:
            round_, users = result
            done += 1
            names = ", ".join(u.username for u in users) or "nobody left to ask"
            click.echo(f"request {request_id}: round {round_}: {names}")
    click.echo(f"{done} questions escalated")
