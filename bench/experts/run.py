"""The experts quality benchmark: precision at 1 and mean average precision of
the expert ranking against a generated organisation's known truth, beside a
baseline that ranks people by how many posts they wrote in the threads that
match the query.

    .venv/bin/python bench/experts/run.py [--seeds 1 2 3] [--questions 14]

Runs on a throw-away SQLite database; prints a table and writes nothing else.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from portal import clock, create_app  # noqa: E402
from portal.auth.models import User  # noqa: E402
from portal.experts import ranking  # noqa: E402
from portal.experts.models import Evidence, EvidenceDocument  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.forums.models import Post  # noqa: E402

RANKED_AT = datetime(2026, 9, 1, tzinfo=UTC)


def average_precision(ranked: list[int], relevant: set[int]) -> float:
    hits, total = 0, 0.0
    for i, uid in enumerate(ranked, 1):
        if uid in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant) if relevant else 0.0


def baseline(query: str) -> list[int]:
    """Rank active people by their posts in the threads the query retrieves."""
    rel, _ = ranking.retrieve(query)
    thread_ids = list(
        db.session.scalars(
            sa.select(EvidenceDocument.source_id).where(
                EvidenceDocument.id.in_(list(rel)), EvidenceDocument.kind == "thread"
            )
        )
    )
    counts = Counter(
        db.session.scalars(
            sa.select(Post.author_id)
            .join(User, User.id == Post.author_id)
            .where(
                Post.thread_id.in_(thread_ids),
                Post.deleted_at.is_(None),
                User.left_at.is_(None),
            )
        )
    )
    return [uid for uid, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def queries(org, rng) -> list[tuple[str, str, set[int]]]:
    """Two queries per topic: its name, and a new question in its words."""
    from bench.experts.generate import FILLER

    out = []
    for topic, words in org.topics.items():
        out.append(("name", topic, org.truth[topic]))
        question = rng.sample(words, 3) + rng.sample(FILLER, 3)
        out.append(("question", " ".join(question), org.truth[topic]))
    return out


def evaluate(seed: int, per_topic: int) -> dict:
    from bench.experts.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "INSTANCE_PATH": tmp,
                "SECRET_KEY": "bench",
                "REDIS_URL": None,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            org = generate(seed, per_topic)
            built = time.perf_counter() - started
            real_now = clock.now
            clock.now = lambda: ranking_now
            ranking_now = __import__("datetime").datetime(
                2026, 9, 1, tzinfo=__import__("datetime").UTC
            )
            try:
                result = _score(org, random.Random(seed))
            finally:
                clock.now = real_now
            result["build_s"] = built
            result["evidence"] = db.session.scalar(
                sa.select(sa.func.count(Evidence.id))
            )
            db.session.remove()
            db.engine.dispose()
    return result


def _score(org, rng) -> dict:
    rows = {"model": {"p1": [], "ap": []}, "baseline": {"p1": [], "ap": []}}
    departed_suggested = 0
    timings = []
    for _kind, query, relevant in queries(org, rng):
        started = time.perf_counter()
        ranked = [s.user.id for s in ranking.rank(query, limit=20, explain=False)]
        timings.append(time.perf_counter() - started)
        departed_suggested += sum(uid in org.departed.values() for uid in ranked)
        for name, order in (("model", ranked), ("baseline", baseline(query))):
            rows[name]["p1"].append(1.0 if order and order[0] in relevant else 0.0)
            rows[name]["ap"].append(average_precision(order, relevant))
    return {
        "queries": len(timings),
        "p1": statistics.mean(rows["model"]["p1"]),
        "map": statistics.mean(rows["model"]["ap"]),
        "base_p1": statistics.mean(rows["baseline"]["p1"]),
        "base_map": statistics.mean(rows["baseline"]["ap"]),
        "departed_suggested": departed_suggested,
        "median_ms": statistics.median(timings) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--questions", type=int, default=14)
    args = parser.parse_args()
    print(
        "| seed | queries | P@1 | MAP | baseline P@1 | baseline MAP "
        "| departed suggested | median rank ms | build s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    results = []
    for seed in args.seeds:
        r = evaluate(seed, args.questions)
        results.append(r)
        print(
            f"| {seed} | {r['queries']} | {r['p1']:.3f} | {r['map']:.3f} | "
            f"{r['base_p1']:.3f} | {r['base_map']:.3f} | {r['departed_suggested']} | "
            f"{r['median_ms']:.1f} | {r['build_s']:.0f} |",
            flush=True,
        )
    mean = {
        k: statistics.mean(r[k] for r in results)
        for k in ("p1", "map", "base_p1", "base_map")
    }
    print(
        f"| mean | | {mean['p1']:.3f} | {mean['map']:.3f} | {mean['base_p1']:.3f} | "
        f"{mean['base_map']:.3f} | | | |"
    )


if __name__ == "__main__":
    main()
