"""``flask users …``: create users and change roles from the command line."""

import click
from flask.cli import AppGroup

from portal.auth import service
from portal.auth.models import ROLES
from portal.errors import DomainError
from portal.extensions import db

users_cli = AppGroup("users", help="Create users and change their roles.")


@users_cli.command("create")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default="employee", show_default=True)
@click.option("--department", default=None, help="Department name (created if new).")
@click.option("--display-name", default="", help="Defaults to the username.")
@click.option("--email", default=None)
def create(username, password, role, department, display_name, email):
    """Create a user."""
    try:
        dept = None
        if department:
            try:
                dept = service.get_department(department)
            except DomainError:
                dept = service.create_department(department)
        user = service.create_user(
            username,
            password,
            display_name=display_name,
            email=email,
            role=role,
            department=dept,
        )
    except DomainError as e:
        db.session.rollback()
        raise click.ClickException(e.message) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role}).")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def set_role(username, role):
    """Change a user's role."""
    try:
        user = service.get_user(username)
        service.update_user(user, role=role)
    except DomainError as e:
        db.session.rollback()
        raise click.ClickException(e.message) from None
    db.session.commit()
    click.echo(f"{user.username} is now {role}.")
