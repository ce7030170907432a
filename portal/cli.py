"""Portal-wide commands: demo data and translation catalogs."""

import importlib
import importlib.util
import random

import click
from flask.cli import AppGroup, with_appcontext

from portal import i18n
from portal.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Fill the database with demo data (safe to run again: adds what is missing)."""
    from portal import FEATURES

    rng = random.Random(20061)  # the same demo every time
    for name in FEATURES:
        module_name = f"portal.{name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        seeded = importlib.import_module(module_name).seed(rng)
        db.session.commit()
        click.echo(f"{name}: {seeded}")
    click.echo(
        "Demo logins (password for all: tacit-demo): admin, hr1, mod1, alice, bob …"
    )


i18n_cli = AppGroup("i18n", help="Keep the translation catalogs complete.")


def _scopes():
    return [None, *i18n.packages()]


@i18n_cli.command("update")
def i18n_update():
    """Extract strings and merge them into every package's catalog."""
    for package in _scopes():
        added = i18n.update(package)
        if added:
            click.echo(f"{package or 'core'}: {added} new strings to translate")


@i18n_cli.command("check")
def i18n_check():
    """List strings that have no Chinese translation; exit 1 if any."""
    bad = 0
    for package in _scopes():
        for msgid in i18n.missing(package):
            click.echo(f"{package or 'core'}: {msgid!r}")
            bad += 1
    if bad:
        raise SystemExit(1)
    click.echo("All strings have a Chinese translation.")


@i18n_cli.command("compile")
def i18n_compile():
    """Compile the catalogs (the app also does this when it starts)."""
    click.echo(f"{i18n.compile_all(force=True)} catalogs compiled")


def init_app(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(i18n_cli)
