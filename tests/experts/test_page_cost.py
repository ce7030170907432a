"""What expert finding costs does not grow with the evidence behind it: expert
search, the account page's experts panel and a profile page send as many
statements for a hundred pieces of evidence as for a few (DESIGN.md,
performance habits)."""

from flask import render_template

from portal.accounts import service as accounts
from portal.experts import handlers
from portal.extensions import db
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
            return found, render_template(found.template, ctx=found.context)

    _answered_questions(ask_thread, answer, people, 2, accounts_=[acme])
    panel()  # the account's manager and the templates, loaded once
    few = count_statements(panel)

    _answered_questions(ask_thread, answer, people, 12, accounts_=[acme])
    found, html = panel()
    assert [s.user.username for s in found.context["experts"]][:1] == ["other"]
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
