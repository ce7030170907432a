"""Ranking order on small hand-built cases, and the explanations behind it."""

from datetime import timedelta

import pytest

from portal.errors import Invalid
from portal.experts import evidence, ranking, service
from portal.extensions import db
from portal.forums import service as forums
from portal.wiki import service as wiki
from tests.experts.conftest import NOW


def names(results):
    return [s.user.username for s in results]


def test_accepted_answer_beats_many_chatty_posts(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Disputed invoice from a customer", tags="billing")
    for i in range(8):
        answer(thread, p["chatty"], f"Maybe check the invoice? Idea {i}")
    answer(
        thread,
        p["expert"],
        "Credit note, then reissue the invoice.",
        accept_by=p["asker"],
    )
    other = ask_thread(p["asker"], "Invoice in the wrong currency", tags="billing")
    for i in range(5):
        answer(other, p["chatty"], f"Invoice currency thoughts {i}")

    results = ranking.rank("invoice")
    assert names(results)[:2] == ["expert", "chatty"]
    assert results[0].counts == {"accepted": 1}
    # The asker asked, which is no evidence of knowing.
    assert "asker" not in names(results)


def test_upvoted_answer_beats_plain_answer(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Renewal discount policy")
    answer(thread, p["chatty"], "No idea, maybe ten percent.")
    answer(thread, p["other"], "Five percent for two years.", votes_by=[p["voter1"]])
    assert names(ranking.rank("renewal discount"))[:2] == ["other", "chatty"]


def test_old_evidence_decays(people, ask_thread, answer, at):
    p = people
    at(NOW - timedelta(days=3 * 365))
    old = ask_thread(p["asker"], "SAP integration error")
    answer(old, p["other"], "Restart the connector.", accept_by=p["asker"])
    at(NOW)
    new = ask_thread(p["asker"], "SAP integration timeout")
    answer(new, p["expert"], "Raise the timeout.", votes_by=[p["voter1"]])

    results = ranking.rank("SAP integration")
    assert names(results)[:2] == ["expert", "other"]
    # Three half-lives: an eighth of the weight is left.
    # Three half-lives: an eighth of the accepted answer's weight is left
    # (times 4/3: one accepted answer out of one is a good track record).
    assert results[1].counts == {"accepted": 1}
    assert results[1].score < evidence.WEIGHTS["accepted"] / 8 * 4 / 3 * 1.01


def test_half_life_is_configurable(app, people, ask_thread, answer, at):
    p = people
    at(NOW - timedelta(days=30))
    thread = ask_thread(p["asker"], "Warehouse customs forms")
    answer(thread, p["expert"], "Form 27B.", accept_by=p["asker"])
    at(NOW)
    # One accepted answer out of one: a track record of 2 * 2/3.
    accepted = evidence.WEIGHTS["accepted"] * 4 / 3
    assert ranking.rank("customs")[0].score == pytest.approx(
        accepted * 0.5 ** (30 / 365), rel=0.01
    )
    app.config["EXPERTS_HALF_LIFE_DAYS"] = 30
    assert ranking.rank("customs")[0].score == pytest.approx(accepted / 2, rel=0.01)


def test_departed_and_deactivated_are_not_suggested(people, ask_thread, answer, at):
    from portal.auth import service as auth

    p = people
    thread = ask_thread(p["asker"], "Tender documents for the ministry")
    answer(thread, p["expert"], "Use template T-3.", accept_by=p["asker"])
    answer(thread, p["other"], "Ask legal.")
    assert names(ranking.rank("tender"))[0] == "expert"
    auth.deactivate(p["expert"], actor=p["asker"])
    db.session.commit()
    assert names(ranking.rank("tender")) == ["other"]
    auth.deactivate(p["other"], actor=p["asker"], departed=False)
    db.session.commit()
    assert ranking.rank("tender") == []


def test_hidden_topic_is_not_used_for_that_person(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Printer driver for the kiosk", tags="hardware")
    answer(thread, p["expert"], "Driver 4.2.", accept_by=p["asker"])
    answer(thread, p["other"], "Reboot it.")
    tag = thread.tags[0]
    service.hide_topic(p["expert"], p["expert"], tag)
    db.session.commit()
    assert names(ranking.rank("printer driver")) == ["other"]
    assert names(ranking.rank(tag=tag)) == ["other"]
    assert tag not in [t["tag"] for t in service.inferred_topics(p["expert"])]
    service.show_topic(p["expert"], p["expert"], tag)
    db.session.commit()
    assert names(ranking.rank("printer driver"))[0] == "expert"


def test_account_filter(make, people, ask_thread, answer, at):
    from portal.accounts import service as accounts

    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    globex = accounts.create_account("Globex", "CRM-2", actor=None)
    db.session.commit()
    p = people
    a = ask_thread(p["asker"], "Shipping delay at ACME", accounts=[acme])
    answer(a, p["expert"], "Call their logistics lead.", accept_by=p["asker"])
    g = ask_thread(p["asker"], "Shipping delay at Globex", accounts=[globex])
    answer(g, p["other"], "Their port is closed.", accept_by=p["asker"])

    assert set(names(ranking.rank("shipping delay"))) == {"expert", "other"}
    assert names(ranking.rank("shipping delay", account=acme)) == ["expert"]
    assert names(ranking.rank("", account=globex)) == ["other"]


def test_tag_and_chinese_queries(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(
        p["asker"], "客户关系管理系统与知识管理的融合", "怎么做？", tags="知识管理"
    )
    answer(thread, p["expert"], "先整理客户档案。", accept_by=p["asker"])
    assert names(ranking.rank("知识管理")) == ["expert"]
    assert names(ranking.rank(tag=thread.tags[0])) == ["expert"]


def test_wiki_share_and_validation_count(make, people, at):
    p = people
    page = wiki.create_page(
        "Returns policy", "How returns work for key accounts. " * 20, p["expert"]
    )
    db.session.commit()
    wiki.edit_page(
        page,
        page.current_revision.body + " A small note.",
        p["other"],
        base_revision=page.current_revision.number,
    )
    db.session.commit()
    results = ranking.rank("returns policy")
    assert names(results) == ["expert", "other"]
    assert results[0].counts == {"page": 1}
    moderator = make.user("moddy", role="moderator")
    wiki.change_state(page, "validated", moderator)
    db.session.commit()
    assert ranking.rank("returns policy")[0].counts == {"page": 1, "validated": 1}


def test_declared_skills_count_least(people, ask_thread, answer, at):
    p = people
    service.add_skill(p["chatty"], p["chatty"], "VAT", 3)
    db.session.commit()
    thread = ask_thread(p["asker"], "VAT on exports", tags="VAT")
    answer(thread, p["expert"], "Zero rated.")
    results = ranking.rank("vat")
    assert names(results) == ["expert", "chatty"]
    assert results[1].skills[0].tag.name == "VAT"
    # Endorsements lift a declared skill, still below real evidence.
    for voter in ("voter1", "voter2", "other"):
        service.endorse(results[1].skills[0], p[voter])
    db.session.commit()
    results = ranking.rank("vat")
    assert names(results) == ["expert", "chatty"]
    assert results[1].score > evidence.WEIGHTS["skill"] * 3


def test_explanation_lists_documents_with_dates(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Contract renewal clause")
    post = answer(thread, p["expert"], "Clause 7.", accept_by=p["asker"])
    second = ask_thread(p["asker"], "Renewal notice period")
    answer(second, p["expert"], "Ninety days.")
    top = ranking.rank("renewal")[0]
    assert top.counts == {"accepted": 1, "answer": 1}
    assert [i.title for i in top.items][0] == "Contract renewal clause"
    assert top.items[0].url == thread.url and top.items[0].at == post.created_at
    assert top.first_at == top.last_at == NOW


def test_restricted_forum_evidence_only_for_its_readers(make, people, answer, at):
    from tests.forums.factories import make_forum, make_thread

    hr = make.department("HR")
    insider = make.user("ines", department=hr)
    forum = make_forum("HR only", kind="questions", department=hr)
    thread = make_thread(forum, insider, "Salary band review", "Which band?")
    answer(thread, insider, "Band C.")
    make_reply(thread, make.user("hrboss", department=hr), "Band D.")
    assert ranking.rank("salary band", viewer=people["other"]) == []
    assert names(ranking.rank("salary band", viewer=insider))


def make_reply(thread, author, body):
    post = forums.reply(thread, author, body)
    db.session.commit()
    return post


def test_deleted_content_stops_counting(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Loyalty points expiry")
    post = answer(thread, p["expert"], "After a year.")
    assert names(ranking.rank("loyalty")) == ["expert"]
    forums.delete_post(post, p["expert"])
    db.session.commit()
    assert ranking.rank("loyalty") == []


def test_empty_query_is_refused(app):
    with pytest.raises(Invalid):
        ranking.rank("   ")
    with pytest.raises(Invalid):
        ranking.rank("the of and")


def test_rebuild_gives_the_same_ranking(people, ask_thread, answer, at):
    p = people
    thread = ask_thread(p["asker"], "Credit limit increase", tags="credit")
    answer(thread, p["expert"], "Ask finance.", accept_by=p["asker"])
    answer(thread, p["chatty"], "Just do it.")
    before = [(s.user.id, s.score) for s in ranking.rank("credit limit")]
    counts = evidence.rebuild()
    db.session.commit()
    assert counts["threads"] == 1
    assert [(s.user.id, s.score) for s in ranking.rank("credit limit")] == before
