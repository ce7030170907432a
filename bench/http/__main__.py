"""HTTP benchmark: the portal under gunicorn against the bare-Flask ceiling.

    python -m bench.http --size S [--duration 5] [--rounds 3] [--database-url URL]

(``bench/http/run.sh S`` installs wrk, generates the data if the database is
empty, and runs this.) It serves the portal with its production command
(``gunicorn -w 1 --threads 100 'portal:create_app()'`` from STACK.md) and
``bench/http/ceiling.py`` the same way, both on 127.0.0.1, and logs in once.
For each page and concurrency (1 and 16) it drives wrk for a fixed duration
against the portal's page, then against the ceiling page of the same byte
size, and again, ``--rounds`` times: each number is the median of the rounds,
and the ratio compares the medians. Alternating keeps a machine whose speed
drifts (a shared host) from favouring one side. It prints a Markdown table
(requests/s, latency p50/p95/p99, the ratio to the ceiling and the range of
the rounds' ratios) and the resident memory of the server processes, and
writes both to ``bench/out/``.
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import click
import requests
import sqlalchemy as sa

from bench import search_index_dir

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
LUA = Path(__file__).with_name("report.lua")
USERNAME, PASSWORD = "alice", "tacit-demo"
CONCURRENCY = (1, 16)


def default_url(size: str) -> str:
    return f"postgresql+psycopg://root@127.0.0.1:5432/tacit_bench_{size.lower()}"


# --- what to request --------------------------------------------------------------


def pick_pages(database_url: str) -> dict[str, str]:
    """Choose typical, repeatable URLs from the data: each page's busiest example
    that is still ordinary (the biggest open forum, a thread of 20+ posts…)."""
    engine = sa.create_engine(database_url)
    q = {
        "forum": """SELECT slug FROM forums WHERE department_id IS NULL
                    ORDER BY thread_count DESC, id LIMIT 1""",
        # A thread whose first page shows 20 posts, of median length among those.
        "thread": """WITH c AS (
                         SELECT t.id, t.slug, t.post_count
                         FROM threads t JOIN forums f ON f.id = t.forum_id
                         WHERE f.department_id IS NULL AND t.deleted_at IS NULL
                           AND t.post_count BETWEEN 20 AND 40)
                     SELECT id || '/' || slug FROM c ORDER BY post_count, id
                     LIMIT 1 OFFSET (SELECT count(*) / 2 FROM c)""",
        "wiki": """SELECT slug FROM pages WHERE account_id IS NULL
                   AND deleted_at IS NULL AND state = 'published'
                   ORDER BY revision_count DESC, id LIMIT 1""",
        # The account with the most threads and pages about it.
        "account": """SELECT a.id FROM customer_accounts a
                      LEFT JOIN thread_accounts ta ON ta.account_id = a.id
                      GROUP BY a.id ORDER BY count(ta.thread_id) DESC, a.id
                      LIMIT 1""",
        # The most prolific active author.
        "user": """SELECT u.username FROM users u JOIN posts p ON p.author_id = u.id
                   WHERE u.active GROUP BY u.id ORDER BY count(p.id) DESC, u.id
                   LIMIT 1""",
    }
    with engine.connect() as conn:
        found = {k: conn.execute(sa.text(v)).scalar() for k, v in q.items()}
    engine.dispose()
    return {
        "home": "/",
        "forum thread list": f"/forums/{quote(found['forum'], safe='')}",
        "thread (20 posts)": "/forums/t/"
        + "/".join(quote(part, safe="") for part in found["thread"].split("/", 1)),
        "wiki page": f"/wiki/{quote(found['wiki'], safe='')}",
        "account page": f"/accounts/{found['account']}",
        "profile page": f"/u/{quote(found['user'], safe='')}",
        "search": "/search?q=" + quote("续约"),
        "expert search": "/experts?q=" + quote("续约"),
    }


# --- serving ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master with its workers, started in its own process group."""

    def __init__(self, app: str, env: dict, workers: int, threads: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w", str(workers),
            "--threads", str(threads),
            "-b", f"127.0.0.1:{self.port}",
            # gunicorn 27 opens a control socket at one shared path by default.
            "--no-control-socket",
            app,
        ]  # fmt: skip
        self.command = " ".join(cmd[:-1] + [f"'{app}'"])
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=30).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
            if self.proc.poll() is not None:
                break
        self.stop()
        raise click.ClickException(f"{app} did not start; see {log}")

    def pids(self) -> list[int]:
        """The master, then its workers."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                children.append(int(stat.parent.name))
        return [self.proc.pid, *sorted(children)]

    def rss_mb(self) -> dict[int, float]:
        out = {}
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            out[pid] = round(kb / 1024, 1)
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _cookies(response, jar: dict) -> dict:
    # Read Set-Cookie by hand: with TACIT_ENV=production the cookies are
    # Secure, and requests would not send them back over plain http.
    for cookie in response.cookies:
        jar[cookie.name] = cookie.value
    return jar


def login(base: str) -> str:
    jar: dict = {}
    page = requests.get(base + "/login", timeout=10)
    _cookies(page, jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if token is None:
        token = re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
    header = "; ".join(f"{k}={v}" for k, v in jar.items())
    done = requests.post(
        base + "/login",
        data={"username": USERNAME, "password": PASSWORD, "csrf_token": token[1]},
        headers={"Cookie": header},
        allow_redirects=False,
        timeout=30,
    )
    _cookies(done, jar)
    if done.status_code != 302:
        raise click.ClickException(f"login failed: {done.status_code}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# --- load -------------------------------------------------------------------------


def wrk(url: str, concurrency: int, duration: int, cookie: str | None) -> dict:
    cmd = [
        "wrk",
        f"-t{min(concurrency, 2)}",
        f"-c{concurrency}",
        f"-d{duration}s",
        "--timeout", "10s",
        "-s", str(LUA),
    ]  # fmt: skip
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    seconds = data["duration_us"] / 1e6
    return {
        "rps": round(data["requests"] / seconds, 1),
        "p50": round(data["p50"] / 1000, 1),
        "p95": round(data["p95"] / 1000, 1),
        "p99": round(data["p99"] / 1000, 1),
        "requests": data["requests"],
        "errors": data["errors"] + data["non2xx"],
    }


def probe(url: str, cookie: str | None) -> tuple[int, int]:
    headers = {"Cookie": cookie} if cookie else {}
    r = requests.get(url, headers=headers, allow_redirects=False, timeout=60)
    return r.status_code, len(r.content)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem // 1024 // 1024 + 1} GB RAM, "
        f"load average before the run {load[0]:.2f}"
    )


# --- the run ------------------------------------------------------------------------


def median_of(runs: list[dict]) -> dict:
    """Each number's median over the rounds (errors: their sum)."""
    out = {
        key: round(statistics.median(run[key] for run in runs), 1)
        for key in ("rps", "p50", "p95", "p99")
    }
    out["errors"] = sum(run["errors"] for run in runs)
    return out


def ratio(portal: dict, ceiling: dict) -> float:
    return portal["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0


def table(rows: list[dict]) -> str:
    head = (
        "| page | bytes | c | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| ceiling req/s | ceiling p50 | ceiling p95 | ceiling p99 | ratio "
        "| rounds' ratios |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    lines = []
    for r in rows:
        p, c = r["portal"], r["ceiling"]
        pairs = zip(r["rounds"], r["ceiling_rounds"], strict=True)
        each = [ratio(pr, cr) for pr, cr in pairs]
        spread = f"{min(each):.1%}–{max(each):.1%}" if len(each) > 1 else ""
        lines.append(
            f"| {r['page']} | {r['bytes']:,} | {r['c']} | {p['rps']} | {p['p50']} "
            f"| {p['p95']} | {p['p99']} | {p['errors']} | {c['rps']} | {c['p50']} "
            f"| {c['p95']} | {c['p99']} | {ratio(p, c):.1%} | {spread} |"
        )
    return head + "\n".join(lines) + "\n"


@click.command()
@click.option("--size", default="S", type=click.Choice(["toy", "S", "M"]))
@click.option("--database-url", default=None, help="Default: tacit_bench_<size>.")
@click.option("--duration", default=5, show_default=True, help="Seconds per run.")
@click.option(
    "--rounds",
    default=3,
    show_default=True,
    help="Runs of each page, alternating with the ceiling's; medians reported.",
)
@click.option("--threads", default=100, show_default=True)
@click.option("--workers", default=1, show_default=True)
@click.option("--only", multiple=True, help="Run only these pages (by name).")
def main(size, database_url, duration, rounds, threads, workers, only):
    """Benchmark the portal's pages against the bare-Flask ceiling."""
    if shutil.which("wrk") is None:
        raise click.ClickException("wrk is missing: apt-get install -y wrk")
    database_url = database_url or default_url(size)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    pages = pick_pages(database_url)
    if only:
        pages = {k: v for k, v in pages.items() if k in only}
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "TACIT_ENV": "production",
        "PYTHONPATH": str(ROOT),
        "SEARCH_INDEX_DIR": str(search_index_dir(database_url)),
        # As docs/production.md: fewer malloc arenas for 100 threads
        # (M: worker 266 → 230 MB after the run).
        "MALLOC_ARENA_MAX": "2",
    }
    header = machine()
    click.echo(f"Machine: {header}")
    portal = Server("portal:create_app()", env, workers, threads, OUT / "portal.log")
    ceiling = None
    results, skipped = [], []
    try:
        ceiling = Server(
            "bench.http.ceiling:app", env, workers, threads, OUT / "ceil.log"
        )
        cookie = login(portal.base)
        for name, path in pages.items():
            status, nbytes = probe(portal.base + path, cookie)
            if status == 404 and name in ("search", "expert search"):
                note = f"{name}: {path} answers 404 (not built yet): skipped"
                click.echo("  " + note)
                skipped.append(note)
                continue
            if status != 200:
                raise click.ClickException(f"{name} {path}: HTTP {status}")
            own = f"{ceiling.base}/page?bytes={nbytes}"
            for _ in range(3):  # warm up: first renders, connection pool
                probe(portal.base + path, cookie)
                probe(own, None)
            for c in CONCURRENCY:
                click.echo(f"  {name:18} c={c:<2} {path} ({nbytes} bytes)")
                runs, ceiling_runs = [], []
                for _ in range(rounds):
                    runs.append(wrk(portal.base + path, c, duration, cookie))
                    ceiling_runs.append(wrk(own, c, duration, None))
                results.append(
                    {
                        "page": name,
                        "path": path,
                        "bytes": nbytes,
                        "c": c,
                        "portal": median_of(runs),
                        "ceiling": median_of(ceiling_runs),
                        "rounds": runs,
                        "ceiling_rounds": ceiling_runs,
                    }
                )
        portal_rss = portal.rss_mb()
        portal_command = portal.command
        ceiling_rss = ceiling.rss_mb()
    finally:
        portal.stop()
        if ceiling is not None:
            ceiling.stop()

    md = [
        f"## Size {size}, {stamp} UTC\n",
        f"- Machine: {header}.",
        f"- Portal: `{portal_command}` with DATABASE_URL={database_url}, "
        "TACIT_ENV=production, MALLOC_ARENA_MAX=2; logged in as `alice` (an employee).",
        f"- Load: wrk, {duration} s per page and concurrency, {rounds} rounds, "
        "each the portal's page then the ceiling's (`bench/http/ceiling.py`, "
        "served the same way, a page of the same byte size); 3 warm-up "
        "requests first. Every number is the median of the rounds.",
        "- ratio = portal req/s ÷ ceiling req/s at the same concurrency (of "
        "the medians); the rounds' ratios give each round's range.\n",
        table(results),
        "Resident memory after the run (MB, master then workers): "
        f"portal {portal_rss}, ceiling {ceiling_rss}.\n",
    ]
    if skipped:
        md.append("Skipped: " + "; ".join(skipped) + ".\n")
    report = "\n".join(md)
    click.echo("\n" + report)
    (OUT / f"http-{size}-{stamp}.md").write_text(report)
    (OUT / f"http-{size}-{stamp}.json").write_text(
        json.dumps(
            {
                "size": size,
                "machine": header,
                "pages": pages,
                "results": results,
                "rss_mb": {"portal": portal_rss, "ceiling": ceiling_rss},
                "skipped": skipped,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
