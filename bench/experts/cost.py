"""What expert finding costs per request, in-process, on the benchmark data:
expert search, the profile page, and the account page's experts panel alone.

    .venv/bin/python -m bench.experts.cost --size S [--runs 30] [--profile NAME]

For each: statements sent, SQL milliseconds of one warm request, and the median
and minimum CPU milliseconds (``time.process_time``) over ``--runs`` requests.
CPU time rather than wall time: other programs on a shared machine barely
change it. The pages are the HTTP benchmark's (``bench.http.pick_pages``).
"""

import cProfile
import pstats
import statistics
import time

import click
import sqlalchemy as sa

from bench.http.__main__ import PASSWORD, USERNAME, default_url, pick_pages


@click.command()
@click.option("--size", default="S", type=click.Choice(["toy", "S", "M"]))
@click.option("--database-url", default=None)
@click.option("--runs", default=30, show_default=True)
@click.option("--profile", "profile_names", multiple=True)
@click.option("--sql", "show_sql", is_flag=True, help="Print each statement's time.")
def main(size, database_url, runs, profile_names, show_sql):
    from flask import render_template

    from portal import create_app
    from portal.accounts.models import CustomerAccount
    from portal.auth.models import User
    from portal.experts import handlers
    from portal.extensions import db

    database_url = database_url or default_url(size)
    pages = pick_pages(database_url)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False}
    )
    log: list[tuple[str, float]] = []
    with app.app_context():

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            conn.info.setdefault("t0", []).append(time.perf_counter())

        @sa.event.listens_for(db.engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):
            log.append((statement, time.perf_counter() - conn.info["t0"].pop()))

    client = app.test_client()
    reply = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert reply.status_code == 302, reply.status_code
    account_id = int(pages["account page"].rsplit("/", 1)[1])

    def account_panel():
        # The panel as the account page asks for it, rendered, in a request
        # of its own (so nothing is shared with an earlier one).
        with app.test_request_context("/"):
            viewer = db.session.scalar(sa.select(User).where(User.username == USERNAME))
            account = db.session.get(CustomerAccount, account_id)
            panel = handlers.account_panel(account, viewer=viewer)
            render_template(panel.template, ctx=panel.context)
            db.session.remove()

    def get(path):
        def run():
            reply = client.get(path)
            assert reply.status_code == 200, (path, reply.status_code)

        return run

    jobs = {
        "expert search": get(pages["expert search"]),
        "profile page": get(pages["profile page"]),
        "account experts panel": account_panel,
        "account page": get(pages["account page"]),
    }
    click.echo(
        f"{size}: | what | queries | SQL ms | CPU ms median | CPU ms min |\n"
        "|---|---:|---:|---:|---:|"
    )
    for name, job in jobs.items():
        job()  # warm
        log.clear()
        job()
        queries, sql = len(log), sum(t for _, t in log) * 1000
        slow = sorted(log, key=lambda x: -x[1])
        times = []
        for _ in range(runs):
            started = time.process_time()
            job()
            times.append((time.process_time() - started) * 1000)
        click.echo(
            f"| {name} | {queries} | {sql:.1f} | {statistics.median(times):.1f} "
            f"| {min(times):.1f} |"
        )
        if show_sql:
            for statement, t in slow[:8]:
                text = " ".join(statement.split())[:160]
                click.echo(f"    {t * 1000:6.1f} ms  {text}")
    for name in profile_names:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            jobs[name]()
        profiler.disable()
        click.echo(f"\n### cProfile: {name}, 5 requests")
        stats = pstats.Stats(profiler)
        click.echo(f"calls per request: {stats.total_calls / 5:.0f}")
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(20)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
