"""``flask --app portal handover close-due``: close cases past their leaving date."""

import logging

import click
from flask.cli import AppGroup

from portal.errors import DomainError
from portal.extensions import db
from portal.handover import service
from portal.handover.models import HandoverCase

log = logging.getLogger(__name__)

handover_cli = AppGroup("handover", help="Handover cases.")


@handover_cli.command("close-due")
def close_due():
    """Close every case still open after its leaving date (safe to run from cron:
    each case closes in its own transaction, a closed case is skipped)."""
    closed = failed = 0
    for case_id in service.due_cases():
        case = db.session.get(HandoverCase, case_id)
        if case is None or case.closed:
            continue
        try:
            service.close_case(case, None)
            db.session.commit()
            closed += 1
        except DomainError as error:
            db.session.rollback()
            failed += 1
            log.warning("handover %s not closed: %s", case_id, error.message)
    click.echo(f"{closed} handovers closed, {failed} failed")
    if failed:
        raise SystemExit(1)
