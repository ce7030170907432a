"""What expert finding costs does not grow with the evidence behind it: expert
search, the account page's experts panel and a profile page send as many
statements for a hundred pieces of evidence as for a few (DESIGN.md,
performance habits)."""

from datetime import timedelta

from flask import render_template

from portal.accounts import service as accounts
from portal.experts import handlers, ranking
from portal.extensions import db
from tests.experts.conftest import NOW
from tests.querycount import count_statements, queries_for


def _answered_questions(ask_thread, answer, people, n, *, accounts_=None, tag=None):
    """``n`` invoice questions, each answered by three people, one accepted."""
    for i in range(n):
        thread = ask_thread(
            people["asker"],
            f"Disputed invoice number {i}",
            "The invoice was wrong again",
            tags=tag or f"billing, region-{i}",
            accounts=accounts_,
        )
        answer(thread, people["expert"], "Issue a credit note for the invoice.")
        answer(
            thread, people["chatty"], "Invoices are hard.", votes_by=[people["voter1"]]
        )
        answer(
            thread,
            people["other"],
            "Check the invoice first.",
            accept_by=people["asker"],
        )


def test_expert_search_cost_does_not_grow_with_the_evidence(
    login, make, people, ask_thread, answer, at
):
    _answered_questions(ask_thread, answer, people, 2)
    client = login(people["voter2"])
    few = queries_for(client, "/experts?q=invoice")

    _answered_questions(ask_thread, answer, people, 12)
    # More people suggested: their availability is read with the others'.
    for name in ("ann", "bob", "cy"):
        newcomer = make.user(name, display_name=name.title())
        answer(ask_thread(people["asker"], f"Invoice for {name}"), newcomer, "Invoice")
    page = client.get("/experts?q=invoice")
    assert all(f">{name}<" in page.text for name in ("Other", "Expert", "Ann", "Cy"))
    assert queries_for(client, "/experts?q=invoice") == few


def test_account_experts_panel_cost_does_not_grow_with_the_account(
    app, people, ask_thread, answer, at
):
    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    db.session.commit()

    def panel():
        with app.test_request_context("/"):
            found = handlers.account_panel(acme, viewer=people["voter2"])
            context = found.values()
            return context, render_template(found.template, ctx=context)

    _answered_questions(ask_thread, answer, people, 2, accounts_=[acme])
    panel()  # the account's manager and the templates, loaded once
    few = count_statements(panel)

    _answered_questions(ask_thread, answer, people, 12, accounts_=[acme])
    context, html = panel()
    assert [s.user.username for s in context["experts"]][:1] == ["other"]
    assert "Disputed invoice number" in html
    assert count_statements(panel) == few


def test_profile_page_cost_does_not_grow_with_the_persons_evidence(
    login, people, ask_thread, answer, at
):
    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    db.session.commit()
    _answered_questions(ask_thread, answer, people, 1, accounts_=[acme])
    client = login(people["voter2"])
    few = queries_for(client, "/u/other")

    globex = accounts.create_account("Globex", "CRM-2", actor=None)
    db.session.commit()
    _answered_questions(ask_thread, answer, people, 8, accounts_=[acme, globex])
    page = client.get("/u/other").text
    assert "Globex" in page and "region-5" in page
    assert queries_for(client, "/u/other") == few


def test_corpus_statistics_are_reused_for_a_while(app, people, ask_thread, answer, at):
    """BM25's counts (documents, their mean length, documents with a term)
    are read once per ``EXPERTS_CORPUS_SECONDS``, not on every search."""
    _answered_questions(ask_thread, answer, people, 2)

    def search():
        return ranking.rank("invoice", viewer=people["voter2"])

    search()  # what the session loads once
    app.config["EXPERTS_CORPUS_SECONDS"] = 300
    first = count_statements(search)
    assert count_statements(search) == first - 1
    # A new term is counted (with the rest again, in the same statement).
    assert count_statements(lambda: ranking.rank("credit")) == first
    at(NOW + timedelta(seconds=301))
    assert count_statements(search) == first
    # Counts a few minutes old only weigh the terms a little differently:
    # the new evidence counts at once, and the same people come first.
    _answered_questions(ask_thread, answer, people, 3)
    cached = [(s.user.username, s.counts) for s in search()]
    app.config["EXPERTS_CORPUS_SECONDS"] = 0
    assert cached == [(s.user.username, s.counts) for s in search()]
    assert cached[0] == ("other", {"accepted": 5})


def test_a_common_term_reads_its_newest_documents(
    monkeypatch, make, people, ask_thread, answer, at
):
    """A term in more than ``POSTINGS_PER_TERM`` documents is looked for in
    the newest of them; a search about one account reads all of its own."""
    monkeypatch.setattr(ranking, "POSTINGS_PER_TERM", 2)
    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    db.session.commit()
    old_hand = make.user("oldhand", display_name="Old Hand")
    thread = ask_thread(people["asker"], "Renewal terms", accounts=[acme])
    answer(thread, old_hand, "Renewal at list price.", accept_by=people["asker"])
    for i in range(2):
        later = ask_thread(people["asker"], f"Renewal question {i}")
        answer(later, people["expert"], "Renewal it is.", accept_by=people["asker"])

    assert [s.user.username for s in ranking.rank("renewal")] == ["expert"]
    on_acme = ranking.rank("renewal", account=acme)
    assert [s.user.username for s in on_acme] == ["oldhand"]
