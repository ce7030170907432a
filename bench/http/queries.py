"""Count and time the SQL each benchmarked page runs, in-process.

    python -m bench.http.queries --size S [--explain]

Not a load test: one warm request per page through Flask's test client, with
every statement counted and timed. ``--explain`` prints PostgreSQL's
``EXPLAIN ANALYZE`` of each page's slowest statements.
"""

import statistics
import time
from collections import defaultdict

import click
import sqlalchemy as sa

from bench import search_index_dir
from bench.http.__main__ import PASSWORD, USERNAME, default_url, pick_pages


@click.command()
@click.option("--size", default="S", type=click.Choice(["toy", "S", "M"]))
@click.option("--database-url", default=None)
@click.option("--explain", is_flag=True, help="EXPLAIN ANALYZE the slowest queries.")
@click.option("--top", default=3, show_default=True)
@click.option(
    "--profile",
    "profile_pages",
    multiple=True,
    help="cProfile 20 requests of this page (by name) and print the top functions.",
)
@click.option(
    "--cpu",
    "cpu_runs",
    default=0,
    show_default=True,
    help="Also report each page's median CPU time over this many requests.",
)
def main(size, database_url, explain, top, profile_pages, cpu_runs):
    from portal import create_app
    from portal.extensions import db

    database_url = database_url or default_url(size)
    pages = pick_pages(database_url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(search_index_dir(database_url)),
            "WTF_CSRF_ENABLED": False,
        }
    )
    log: list[tuple[str, object, float]] = []

    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            conn.info.setdefault("t0", []).append(time.perf_counter())

        @sa.event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):
            started = conn.info["t0"].pop()
            log.append((statement, parameters, time.perf_counter() - started))

    client = app.test_client()
    reply = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert reply.status_code == 302, reply.status_code
    click.echo(
        "| page | status | queries | SQL ms | total ms | CPU ms (median, min) |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    details = {}
    for name, path in pages.items():
        client.get(path)  # warm
        log.clear()
        started = time.perf_counter()
        reply = client.get(path)
        total = (time.perf_counter() - started) * 1000
        request_log = list(log)
        sql = sum(t for _, _, t in request_log) * 1000
        queries = len(request_log)
        cpu = _cpu_times(client, path, cpu_runs)
        cpu_cell = f"{statistics.median(cpu):.1f}, {min(cpu):.1f}" if cpu else ""
        click.echo(
            f"| {name} `{path}` | {reply.status_code} | {queries} | {sql:.1f} "
            f"| {total:.1f} | {cpu_cell} |"
        )
        shapes = defaultdict(lambda: [0, 0.0])
        for statement, _, t in request_log:
            shapes[statement][0] += 1
            shapes[statement][1] += t
        details[name] = (sorted(request_log, key=lambda x: -x[2])[:top], shapes)
    for name, (slowest, shapes) in details.items():
        repeated = [(s, n, t) for s, (n, t) in shapes.items() if n > 2]
        click.echo(f"\n### {name}")
        for statement, n, t in sorted(repeated, key=lambda x: -x[1]):
            click.echo(f"- repeated {n}× ({t * 1000:.1f} ms): {statement[:300]!r}")
        for statement, params, t in slowest:
            click.echo(f"- {t * 1000:.1f} ms: {' '.join(statement.split())[:600]}")
            click.echo(f"  params: {params!r}"[:400])
            if explain and database_url.startswith("postgresql"):
                with app.app_context(), db.engine.connect() as conn:
                    raw = conn.connection.dbapi_connection
                    with raw.cursor() as cur:
                        cur.execute("EXPLAIN ANALYZE " + statement, params)
                        for (line,) in cur.fetchall():
                            click.echo("      " + line)
    for name in profile_pages:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(pages[name])
        profiler.disable()
        click.echo(f"\n### cProfile: {name}, 20 requests")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(15)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _cpu_times(client, path: str, runs: int) -> list[float]:
    """Return the CPU milliseconds of ``runs`` requests of ``path``.

    CPU time of this process (Python, templates, the driver) rather than wall
    time: other programs on a shared machine barely change it.
    """
    times = []
    for _ in range(runs):
        started = time.process_time()
        client.get(path)
        times.append((time.process_time() - started) * 1000)
    return times


if __name__ == "__main__":
    main()
