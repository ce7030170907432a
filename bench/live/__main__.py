"""Live pushes at load: many readers on one thread, the portal as two processes.

    python -m bench.live [--clients 200] [--replies 20] [--interval 0.5]
                         [--client-processes 4]

Prepares a fresh PostgreSQL database (dropped afterwards): a forum, a thread,
a poster and one reader per client, each reader watching the thread (as
everyone who has replied does), so every reply also changes every reader's
unread count. Serves the portal as production does (``bench/serving.py``: two
gunicorn processes, ``-w 1 --threads 100``, one Redis channel), logs every
reader in over HTTP on one of the two processes and connects their Socket.IO
clients there (alternating), each joining the thread's room; the clients run
in ``--client-processes`` processes of their own (``bench/live/clients.py``).

The poster then writes the replies through the service in this process, which
pushes through Redis like any server process. For each reply the moment its
transaction commits is recorded (before any after-commit effect runs), and
each client records when the ``post_created`` and ``unread_count`` pushes
reach it; both on this machine's clock. The report gives p50 / p95 / p99 /
max over all receipts and how many were missed, and is written to
``bench/out/``.
"""

import json
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import serving
from bench.live.clients import PASSWORD, client_process

OUT = serving.ROOT / "bench" / "out"
TARGET_P95_MS = 150


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50": statistics.median(ordered),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
    }


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def seed(clients: int) -> dict:
    """The forum, the thread, the poster and the readers, who all watch it."""
    from portal.auth import service as auth_service
    from portal.extensions import db
    from portal.forums import service as forums_service
    from portal.notifications import service as notifications

    poster = auth_service.create_user("poster", PASSWORD, display_name="Poster")
    forum = forums_service.create_forum("Live", slug="live")
    thread = forums_service.create_thread(
        forum, poster, "Outage at ACME: live updates", "Follow this thread."
    )
    names = [f"reader{n:03d}" for n in range(clients)]
    for name in names:
        reader = auth_service.create_user(name, PASSWORD)
        notifications.watch(reader, "thread", thread.id)
    db.session.commit()
    return {"thread_id": thread.id, "poster_id": poster.id, "readers": names}


def post_replies(data: dict, replies: int, interval: float) -> list[dict]:
    """Write ``replies`` replies, ``interval`` seconds apart; return when each
    committed and how long the poster's commit took with its effects."""
    from portal.auth.models import User
    from portal.extensions import db
    from portal.forums import service as forums_service
    from portal.forums.models import Thread

    committed: list[float] = []

    def mark(session):
        if not session.in_nested_transaction():
            committed.append(time.time())

    # Before the portal's own after-commit listener, which sends the pushes.
    sa.event.listen(Session, "after_commit", mark, insert=True)
    sent = []
    try:
        for n in range(replies):
            thread = db.session.get(Thread, data["thread_id"])
            poster = db.session.get(User, data["poster_id"])
            post = forums_service.reply(thread, poster, f"Update {n + 1}: still on it.")
            post_id = post.id
            before = time.time()
            db.session.commit()
            after = time.time()
            sent.append(
                {
                    "post_id": post_id,
                    "count": n + 1,
                    "committed": committed[-1],
                    "commit_call_ms": (after - before) * 1000,
                }
            )
            db.session.remove()
            time.sleep(interval)
    finally:
        sa.event.remove(Session, "after_commit", mark)
    return sent


def measure(readers: list, sent: list[dict]) -> dict:
    result = {}
    by_server: dict[str, list[float]] = {}
    for reader in readers:
        for s in sent:
            if (at := reader.post_created.get(s["post_id"])) is not None:
                latency = (at - s["committed"]) * 1000
                by_server.setdefault(reader.base, []).append(latency)
    result["post_created_by_server"] = {
        base: {k: round(v, 1) for k, v in percentiles(values).items()}
        for base, values in sorted(by_server.items())
    }
    for event, key, received in (
        ("post_created", "post_id", lambda r: r.post_created),
        ("unread_count", "count", lambda r: r.unread),
    ):
        latencies, missed = [], 0
        for s in sent:
            for reader in readers:
                at = received(reader).get(s[key])
                if at is None:
                    missed += 1
                else:
                    latencies.append((at - s["committed"]) * 1000)
        result[event] = {
            "receipts": len(latencies),
            "missed": missed,
            **{k: round(v, 1) for k, v in percentiles(latencies).items()},
        }
    commit_ms = [s["commit_call_ms"] for s in sent]
    result["commit_call_ms"] = {
        k: round(v, 1) for k, v in percentiles(commit_ms).items()
    }
    return result


def report(meta: dict, result: dict) -> str:
    rows = [
        "| push | receipts | missed | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for event in ("post_created", "unread_count"):
        r = result[event]
        rows.append(
            f"| `{event}` | {r['receipts']} | {r['missed']} | {r.get('p50', '-')} "
            f"| {r.get('p95', '-')} | {r.get('p99', '-')} | {r.get('max', '-')} |"
        )
    for n, r in enumerate(result["post_created_by_server"].values()):
        rows.append(
            f"| `post_created`, process {'AB'[n] if n < 2 else n} only "
            f"| | | {r['p50']} | {r['p95']} | {r['p99']} | {r['max']} |"
        )
    c = result["commit_call_ms"]
    verdict = (
        "met"
        if result["post_created"].get("p95", 1e9) <= TARGET_P95_MS
        and result["post_created"]["missed"] == 0
        else "MISSED"
    )
    return "\n".join(
        [
            f"Live pushes, {meta['date']}: {meta['clients']} clients on "
            f"{meta['processes']} processes (`-w 1 --threads {meta['threads']}`), "
            f"{meta['replies']} replies {meta['interval']} s apart; the clients in "
            f"{meta['client_processes']} processes, the poster in another.",
            f"Machine: {meta['machine']}; load average before {meta['load_before']}, "
            f"after {meta['load_after']}.",
            "",
            *rows,
            "",
            "Latency: from the reply's commit to the client's receipt. The "
            f"poster's `commit()` with its after-commit effects took p50 {c['p50']} "
            f"ms, p95 {c['p95']} ms, max {c['max']} ms.",
            f"Target `post_created` p95 ≤ {TARGET_P95_MS} ms, none missed: {verdict}.",
            "",
        ]
    )


class Received:
    """What one reader received, as sent back by its client process."""

    def __init__(self, base: str, post_created: dict, unread: dict):
        self.base, self.post_created, self.unread = base, post_created, unread


def run_clients(
    assigned: list[tuple[str, str]], thread_id: int, processes: int, post
) -> tuple[list[Received], list[dict]]:
    """Connect the readers from ``processes`` client processes, call
    ``post()`` once all are listening, and gather what they received."""
    context = multiprocessing.get_context("spawn")
    children = []
    for n in range(processes):
        parent_end, child_end = context.Pipe()
        child = context.Process(
            target=client_process,
            args=(assigned[n::processes], thread_id, child_end),
            daemon=True,
        )
        child.start()
        children.append((child, parent_end))
    try:
        for _, pipe in children:
            if not pipe.poll(300) or (answer := pipe.recv()) != "ready":
                raise click.ClickException(f"clients did not connect: {answer}")
        sent, wait = post()
        for _, pipe in children:
            pipe.send((sent, wait))
        received = []
        for _, pipe in children:
            if not pipe.poll(wait + 120):
                raise click.ClickException("a client process did not report")
            received += [Received(*r) for r in pipe.recv()]
        return received, sent
    finally:
        for child, pipe in children:
            child.join(timeout=60)
            if child.is_alive():
                child.kill()
                child.join()
            pipe.close()


@click.command()
@click.option("--clients", default=200, show_default=True)
@click.option("--replies", default=20, show_default=True)
@click.option("--interval", default=0.5, show_default=True, help="seconds")
@click.option("--processes", default=2, show_default=True)
@click.option("--threads", default=serving.THREADS, show_default=True)
@click.option(
    "--redis-url",
    default=lambda: os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
)
@click.option("--wait", default=30.0, help="seconds to wait for late pushes")
@click.option(
    "--client-processes",
    default=4,
    show_default=True,
    help="processes the Socket.IO clients are spread over (the poster has its own)",
)
def main(
    clients, replies, interval, processes, threads, redis_url, wait, client_processes
):
    """Measure how long a reply takes to reach every reader of its thread."""
    if clients > processes * threads:
        # Each WebSocket holds one of its process's threads.
        raise click.UsageError("more clients than the processes have threads")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"live-{stamp}-", dir=OUT))
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "clients": clients,
        "replies": replies,
        "interval": interval,
        "processes": processes,
        "threads": threads,
        "client_processes": client_processes,
        "load_before": load_average(),
    }
    with serving.scratch_database("tacit_bench_live") as url:
        env = serving.production_env(url, folder, redis_url)
        with serving.serve(processes, env, folder, threads, wait=False) as servers:
            # The poster pushes through Redis as a server process would, and
            # indexes in the background as production does.
            with serving.portal_app(env, upgrade=True, SEARCH_ASYNC=True):
                click.echo(f"seeding {clients} readers …")
                data = seed(clients)
                for server in servers:
                    server.wait_until_up()
                assigned = [
                    (name, servers[n % processes].base)
                    for n, name in enumerate(data["readers"])
                ]

                def post():
                    click.echo(f"posting {replies} replies …")
                    return post_replies(data, replies, interval), wait

                click.echo(f"connecting {clients} clients …")
                readers, sent = run_clients(
                    assigned, data["thread_id"], client_processes, post
                )
            meta["load_after"] = load_average()
    result = measure(readers, sent)
    text = report(meta, result)
    click.echo("\n" + text)
    (OUT / f"live-{stamp}.md").write_text(text)
    (OUT / f"live-{stamp}.json").write_text(
        json.dumps({"meta": meta, "result": result, "sent": sent}, indent=2)
    )


if __name__ == "__main__":
    main()
