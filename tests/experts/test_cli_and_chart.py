"""``flask experts rebuild`` and the expertise chart."""

from types import SimpleNamespace

from portal.experts import charts
from portal.experts.models import Evidence, EvidenceDocument
from portal.extensions import db


def test_rebuild_recomputes_from_the_database(runner, people, ask_thread, answer, at):
    thread = ask_thread(people["asker"], "Customs broker fees", tags="customs")
    answer(thread, people["expert"], "Broker X.", accept_by=people["asker"])
    before = sorted(
        (e.user_id, e.kind, e.weight) for e in db.session.query(Evidence).all()
    )
    db.session.query(Evidence).delete()
    db.session.commit()
    result = runner.invoke(args=["experts", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 threads, 0 pages, 1 pieces of evidence" in result.output
    after = sorted(
        (e.user_id, e.kind, e.weight) for e in db.session.query(Evidence).all()
    )
    assert after == before == [(people["expert"].id, "accepted", 8.0)]
    assert db.session.query(EvidenceDocument).count() == 1


def test_chart_draws_bars_with_counts_and_escapes_names(app):
    user = SimpleNamespace(display_name="<Eve>")
    tag = SimpleNamespace(name="<script>alert(1)</script>")
    account = SimpleNamespace(name="ACME & Sons")
    with app.test_request_context():
        svg = str(
            charts.expertise_chart(
                user,
                [{"tag": tag, "score": 8.0, "documents": 3}],
                [{"account": account, "score": 2.0, "documents": 1}],
            )
        )
    assert svg.startswith("<svg") and "<script>" not in svg
    assert "&lt;script&gt;" in svg and "ACME &amp; Sons" in svg
    assert 'data-documents="3"' in svg and "3 documents" in svg
    widths = [int(w) for w in __import__("re").findall(r'<rect[^>]*width="(\d+)"', svg)]
    assert widths[0] > widths[1] * 3
    assert charts.expertise_chart(user, [], []) is None
