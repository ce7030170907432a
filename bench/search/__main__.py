"""Search benchmark: build an index of generated documents, time queries and writes.

    .venv/bin/python -m bench.search [--docs 100000] [--queries 200] [--writes 30]

Half the documents are Chinese, half English, 150–900 characters long, with
titles; the words follow a Zipf-like distribution over a fixed vocabulary, so
common words match many documents as in real text. Everything is seeded: the
same documents and the same 200 queries (one, two and three words) each run.
The queries go through ``portal.search.query`` (parsing, permission filter,
ranking, snippets, first page of 20) on an app with its own SQLite database;
writes go through the forums service and are drained into the 100k index.
"""

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ZH_WORDS = [
    "客户",
    "关系",
    "管理",
    "系统",
    "知识",
    "续约",
    "合同",
    "价格",
    "折扣",
    "采购",
    "需求",
    "服务",
    "支持",
    "工单",
    "故障",
    "升级",
    "培训",
    "上线",
    "实施",
    "项目",
    "经理",
    "销售",
    "渠道",
    "代理",
    "区域",
    "华东",
    "华南",
    "华北",
    "制造",
    "医疗",
    "教育",
    "物流",
    "零售",
    "银行",
    "保险",
    "航运",
    "能源",
    "汽车",
    "数据",
    "迁移",
    "报表",
    "接口",
    "集成",
    "审批",
    "流程",
    "权限",
    "账号",
    "发票",
    "付款",
    "预算",
    "投诉",
    "满意度",
    "回访",
    "拜访",
    "会议",
    "决策",
    "风险",
    "流失",
    "竞争",
    "对手",
    "方案",
    "演示",
    "试用",
    "版本",
    "部署",
    "性能",
    "安全",
    "备份",
    "监控",
    "告警",
    "网络",
    "服务器",
    "数据库",
    "客户端",
    "移动",
    "微信",
    "邮件",
    "电话",
    "营销",
    "活动",
    "线索",
    "商机",
    "报价",
    "谈判",
    "签约",
    "交付",
    "验收",
    "维护",
    "续费",
    "增购",
    "定制",
    "开发",
    "测试",
    "文档",
]
EN_WORDS = [
    "customer",
    "account",
    "renewal",
    "contract",
    "price",
    "discount",
    "purchase",
    "need",
    "service",
    "support",
    "ticket",
    "failure",
    "upgrade",
    "training",
    "launch",
    "rollout",
    "project",
    "manager",
    "sales",
    "channel",
    "partner",
    "region",
    "manufacturing",
    "healthcare",
    "education",
    "logistics",
    "retail",
    "banking",
    "insurance",
    "shipping",
    "energy",
    "automotive",
    "data",
    "migration",
    "report",
    "interface",
    "integration",
    "approval",
    "process",
    "permission",
    "invoice",
    "payment",
    "budget",
    "complaint",
    "satisfaction",
    "visit",
    "meeting",
    "decision",
    "risk",
    "churn",
    "competitor",
    "proposal",
    "demo",
    "trial",
    "version",
    "deployment",
    "performance",
    "security",
    "backup",
    "monitoring",
    "alert",
    "network",
    "server",
    "database",
    "client",
    "mobile",
    "email",
    "phone",
    "marketing",
    "campaign",
    "lead",
    "opportunity",
    "quote",
    "negotiation",
    "signing",
    "delivery",
    "acceptance",
    "maintenance",
    "expansion",
    "custom",
    "development",
    "testing",
    "documentation",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "for",
    "with",
    "on",
    "is",
    "was",
    "we",
    "they",
    "our",
    "their",
    "this",
    "that",
    "it",
    "be",
    "as",
    "at",
    "by",
]


# Chinese words: jieba's own dictionary (it ships with the package), most
# frequent first; English: the words above plus generated ones. About 8,000
# words each, so that a query word matches some documents, not all of them.
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "ga",
    "ge",
    "gi",
    "go",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "za",
    "ze",
    "zi",
    "zo",
    "tion",
    "ment",
    "ing",
    "er",
    "al",
    "ous",
    "ive",
]


def _jieba_words(count: int) -> list[str]:
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4:
                rows.append((int(freq), word))
    rows.sort(reverse=True)
    return [word for _, word in rows[:count]]


def _vocabularies():
    rng = random.Random(42)
    zh = list(ZH_WORDS)
    zh += [w for w in _jieba_words(8000) if w not in set(ZH_WORDS)][: 8000 - len(zh)]
    en = list(EN_WORDS)
    en_seen = set(en)
    while len(en) < 8000:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if word not in en_seen:
            en_seen.add(word)
            en.append(word)
    return zh, en


ZH_VOCAB, EN_VOCAB = _vocabularies()
EN_QUERY_VOCAB = [w for w in EN_VOCAB if w not in EN_WORDS[-25:]]


def _zipf_choice(rng, words):
    # Rank r is chosen with probability about 1/r: a few words are everywhere.
    n = len(words)
    r = int(n ** rng.random()) - 1
    return words[min(max(r, 0), n - 1)]


def make_doc(rng, n: int, start: datetime) -> dict:
    chinese = n % 2 == 0
    words = ZH_VOCAB if chinese else EN_VOCAB
    join = "" if chinese else " "
    length = rng.randint(150, 900)
    title = join.join(_zipf_choice(rng, words) for _ in range(rng.randint(3, 8)))
    parts, size = [], 0
    while size < length:
        sentence = join.join(
            _zipf_choice(rng, words) for _ in range(rng.randint(5, 14))
        )
        sentence += "。" if chinese else ". "
        parts.append(sentence)
        size += len(sentence)
    return {
        "title": title,
        "body": "".join(parts)[:length],
        "url": f"/forums/t/{n}/x",
        "date": start + timedelta(minutes=n),
        "scope": "all",
        "accounts": [rng.randint(1, 500)],
        "tags": [f"tag{rng.randint(1, 50)}"],
        "authors": [rng.randint(1, 300)],
        "flags": ["resolved"] if rng.random() < 0.2 else [],
        "rank": 1.5 if rng.random() < 0.2 else 1.0,
        "meta": {"forum": "General", "replies": rng.randint(0, 20)},
    }


def make_queries(rng, count: int) -> list[str]:
    queries = []
    for i in range(count):
        # Query words come from the same distribution, stop words left out.
        words = ZH_VOCAB if i % 2 == 0 else EN_QUERY_VOCAB
        n = 1 + i % 3
        queries.append(" ".join(_zipf_choice(rng, words) for _ in range(n)))
    return queries


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--dir", default=None, help="work folder (default: a temp one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the index already built in --dir (same --docs): time queries only",
    )
    args = parser.parse_args()

    from portal import create_app
    from portal.extensions import db
    from portal.search import backend

    work = Path(args.dir or tempfile.mkdtemp(prefix="tacit-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "INSTANCE_PATH": str(work),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.db'}",
            "SEARCH_INDEX_DIR": str(work / "index"),
            "SEARCH_ASYNC": False,
            "REDIS_URL": None,
        }
    )
    rng = random.Random(20061)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    index_dir = app.config["SEARCH_INDEX_DIR"]
    with app.app_context():
        db.drop_all()
        db.create_all()
        if args.reuse and backend.status(index_dir) == "ok":
            count = backend.doc_count(index_dir)
            # A run's writes (--writes) add a few documents to the index it keeps.
            if not args.docs <= count <= args.docs + 2 * args.writes + 100:
                raise SystemExit(
                    f"{index_dir} holds {count} documents, not {args.docs}"
                )
            print(f"Reusing the index of {count} documents in {index_dir}")
        else:
            _build(app, args, rng, start)
        _queries(args, "queries")
        if args.writes:
            _writes(app, args.writes)
            # The same queries on the changed index: the decoded lists of the
            # big segments are kept, the scores are worked out again.
            _queries(args, "same queries after the writes")


def _rss() -> str:
    """This process's resident memory: anonymous (the heap: caches, Python
    objects) and file-backed (index files read through mmap, shared and
    reclaimable)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return "unknown"
    kb = {
        key: int(value.split()[0])
        for key, value in (line.split(":", 1) for line in status.splitlines())
        if key in ("VmRSS", "RssAnon", "RssFile")
    }
    return (
        f"{kb.get('VmRSS', 0) / 1024:.0f} MB resident "
        f"({kb.get('RssAnon', 0) / 1024:.0f} MB heap, "
        f"{kb.get('RssFile', 0) / 1024:.0f} MB mapped files)"
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (``--procs``)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _build(app, args, rng, start) -> None:
    from portal.search import backend, indexing

    # The documents are made first: writing random text is not indexing, and
    # made alongside it took a tenth of the build's CPU from the indexers.
    t0 = time.perf_counter()
    docs = [
        indexing.document("thread", n, make_doc(rng, n, start))
        for n in range(1, args.docs + 1)
    ]
    print(f"  {args.docs} documents made in {time.perf_counter() - t0:.1f} s")
    print(f"Building an index of {args.docs} documents (procs={args.procs}) …")
    t0, c0 = time.perf_counter(), _cpu_seconds()
    with backend.build(app.config["SEARCH_INDEX_DIR"], procs=args.procs) as add:
        for doc in docs:
            add(doc)
    del docs
    build_s = time.perf_counter() - t0
    cpu_s = _cpu_seconds() - c0
    size = backend.size_bytes(app.config["SEARCH_INDEX_DIR"])
    print(
        f"  build: {build_s:.1f} s, {args.docs / build_s:.0f} documents/s "
        f"({args.docs / cpu_s:.0f} per CPU-second, indexing processes included; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"  size: {size / 2**20:.1f} MB ({size / args.docs:.0f} bytes/document)")


def _queries(args, title: str) -> None:
    from portal.search import query

    viewer = SimpleNamespace(
        id=1,
        is_authenticated=True,
        is_active=True,
        role="employee",
        department_id=None,
    )
    queries = make_queries(random.Random(7), args.queries)
    query(queries[0], viewer)  # open the searcher once, as a server has
    times, cpu, totals = [], [], []
    for text in queries:
        t, c = time.perf_counter(), time.process_time()
        results = query(text, viewer)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        totals.append(results.total)
        assert results.error is None, results.error
    print(
        f"  {title}: {len(queries)}, median {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms; "
        f"CPU median {statistics.median(cpu):.1f} ms, "
        f"p95 {percentile(cpu, 95):.1f} ms; "
        f"median hits {statistics.median(totals):.0f}, max {max(totals)}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  memory after the queries: {_rss()}")
    for n_words in (1, 2, 3):
        sub = [
            (t, c)
            for q, t, c in zip(queries, times, cpu, strict=True)
            if len(q.split()) == n_words
        ]
        wall = [t for t, _ in sub]
        used = [c for _, c in sub]
        print(
            f"    {n_words} word(s): median {statistics.median(wall):.1f} ms, "
            f"p95 {percentile(wall, 95):.1f} ms "
            f"(CPU {statistics.median(used):.1f} / {percentile(used, 95):.1f} ms)"
        )


def _writes(app, count: int) -> None:
    """Time the commit of a new thread, and the index update that follows it."""
    from portal.auth import service as auth
    from portal.extensions import db
    from portal.forums import service as forums
    from portal.search import indexing

    user = auth.create_user("bench", "bench-password-1")
    forum = forums.create_forum("Bench")
    db.session.commit()
    app.config["SEARCH_ASYNC"] = True  # commit only: the drain is timed apart
    original = indexing.kick
    indexing.kick = lambda app: None
    commits, drains = [], []
    try:
        for n in range(count):
            t = time.perf_counter()
            forums.create_thread(
                forum, user, f"Bench write {n} 续约", "A new thread body."
            )
            db.session.commit()
            commits.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            assert indexing.drain() >= 1
            drains.append((time.perf_counter() - t) * 1000)
    finally:
        indexing.kick = original
    print(
        f"  writes: {count}; commit median {statistics.median(commits):.1f} ms; "
        f"index update after commit median {statistics.median(drains):.1f} ms, "
        f"p95 {percentile(drains, 95):.1f} ms"
    )


if __name__ == "__main__":
    main()
