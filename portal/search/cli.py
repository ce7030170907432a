"""``flask search …``: rebuild the index from the database, compare the two."""

import time

import click
from flask.cli import AppGroup

from portal.search import backend, indexing

search_cli = AppGroup("search", help="Maintain the search index.")


@search_cli.command("rebuild")
@click.option(
    "--procs", default=1, show_default=True, help="Indexing processes (cores to use)."
)
def rebuild(procs):
    """Rebuild the search index from the database (the old one serves meanwhile)."""
    total = indexing.expected_count()
    start = time.perf_counter()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        count = indexing.rebuild(progress=bar.update, procs=procs)
    seconds = time.perf_counter() - start
    path = indexing.index_dir()
    click.echo(
        f"Indexed {count} documents in {seconds:.1f} s "
        f"({count / seconds if seconds else 0:.0f}/s) into {path} "
        f"({backend.size_bytes(path) / 2**20:.1f} MB)."
    )


@search_cli.command("check")
def check():
    """Report documents missing from the index or in it but gone from the database."""
    try:
        report = indexing.check()
    except backend.IndexUnavailable as error:
        click.echo(
            f"The search index is {error.reason}: "
            "run `flask --app portal search rebuild`."
        )
        raise SystemExit(1) from None
    bad = False
    for kind, found in report.items():
        missing, extra = found["missing"], found["extra"]
        if missing or extra:
            bad = True
        click.echo(
            f"{kind}: {len(missing)} missing{_ids(missing)}, "
            f"{len(extra)} extra{_ids(extra)}"
        )
    waiting = indexing.pending()
    if waiting:
        click.echo(f"{waiting} updates are waiting in the outbox.")
    if bad:
        click.echo("Run `flask --app portal search rebuild` to repair the index.")
        raise SystemExit(1)
    click.echo("The index matches the database.")


def _ids(ids) -> str:
    if not ids:
        return ""
    shown = ", ".join(str(i) for i in ids[:10])
    return f" ({shown}{', …' if len(ids) > 10 else ''})"
