"""The ceiling: bare Flask rendering a Jinja page of a given size from memory.

    gunicorn -w 1 --threads 100 'bench.http.ceiling:app'
    GET /page?bytes=24000  ->  an HTML page of about 24,000 bytes

No database, no session, no login: what this machine's Flask + Jinja + gunicorn
can do at most for a page that big. The benchmark serves it exactly as it
serves the portal and compares each portal page with the ceiling page of the
same size.
"""

import random

from flask import Flask, request

app = Flask(__name__)

TEMPLATE = app.jinja_env.from_string(
    """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }} · Ceiling</title>
<link rel="stylesheet" href="/static/portal.css"></head>
<body>
<header><nav><a href="/">Tacit</a> <a href="/forums">Forums</a>
<a href="/wiki">Wiki</a> <a href="/accounts">Accounts</a></nav></header>
<main>
<h1>{{ title }}</h1>
{% for post in posts %}
<article class="post" id="p{{ post.id }}">
  <header><a href="/u/{{ post.author }}">{{ post.author_name }}</a>
  <time datetime="{{ post.when }}">{{ post.when }}</time>
  <span class="score">{{ post.score }}</span></header>
  <div class="body">{{ post.body }}</div>
</article>
{% endfor %}
</main>
</body>
</html>
"""
)

_rng = random.Random(7)
_SENTENCES = [
    "客户续约前一定要先看上一次的合同条款和折扣记录。",
    "Before a renewal, read the last contract & the discount we gave.",
    "这次故障的根本原因是配置变更没有走审批流程。",
    "They measure us on first response time, so answer within <30> minutes.",
    "知识管理的关键是让经验从个人变成团队的资产。",
]
POSTS = [
    {
        "id": i,
        "author": f"user{i % 50}",
        "author_name": f"王伟 Wang Wei {i % 50}",
        "when": f"2026-10-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        "score": i % 7,
        "body": " ".join(_rng.choice(_SENTENCES) for _ in range(4)),
    }
    for i in range(2000)
]


def _size(n: int) -> int:
    return len(TEMPLATE.render(title="Ceiling", posts=POSTS[:n]).encode())


_BASE = _size(0)
_PER_POST = (_size(100) - _BASE) / 100


@app.route("/page")
def page():
    wanted = request.args.get("bytes", 20000, type=int)
    n = max(0, min(len(POSTS), round((wanted - _BASE) / _PER_POST)))
    return TEMPLATE.render(title="Ceiling", posts=POSTS[:n])


@app.route("/healthz")
def healthz():
    return {"status": "ok"}
