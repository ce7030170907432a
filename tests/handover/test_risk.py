"""Knowledge at risk: levels and reasons on hand-built cases, sorting, what-if."""

from datetime import timedelta

from portal import clock
from portal.handover import at_risk


def _by_name(rows):
    return {r.account.name: r for r in rows}


def test_levels_and_reasons(people, make_account, evidence_for, make):
    third = make.user("third", display_name="Third Person")
    nobody = make_account("Nobody Inc")
    solo = make_account("Solo Ltd")
    pair = make_account("Pair Co")
    lopsided = make_account("Lopsided AG")
    spread = make_account("Spread SA")
    evidence_for(solo, people.leaver)
    evidence_for(pair, people.leaver)
    evidence_for(pair, people.successor)
    for _ in range(4):
        evidence_for(lopsided, people.leaver, people.successor)
    evidence_for(lopsided, people.second)
    evidence_for(lopsided, third)
    for person in (people.leaver, people.successor, people.second, third):
        evidence_for(spread, person)
    rows = _by_name(at_risk.risk_table())
    assert rows["Nobody Inc"].level == "high"
    assert "Nobody has answered questions" in rows["Nobody Inc"].reason
    assert rows["Solo Ltd"].level == "high"
    assert rows["Solo Ltd"].reason == (
        "Only Li Wei has answered questions or written about this account in the "
        "last year."
    )
    assert rows["Pair Co"].level == "medium"
    assert "Only Li Wei and Wang Fang" in rows["Pair Co"].reason or (
        "Only Wang Fang and Li Wei" in rows["Pair Co"].reason
    )
    assert rows["Lopsided AG"].level == "medium"
    assert rows["Lopsided AG"].top_share >= 0.6
    assert "Wang Fang holds" in rows["Lopsided AG"].reason
    assert rows["Spread SA"].level == "low"
    assert rows["Spread SA"].top_share == 0.25
    assert "4 people know this account" in rows["Spread SA"].reason
    assert len(rows["Spread SA"].people) == 4
    assert nobody.id  # listed although nobody knows it


def test_an_open_handover_raises_the_risk(
    people, make_account, evidence_for, open_case
):
    pair = make_account("Pair Co")
    evidence_for(pair, people.leaver)
    evidence_for(pair, people.successor)
    assert _by_name(at_risk.risk_table())["Pair Co"].level == "medium"
    case = open_case(successors=[people.second])
    row = _by_name(at_risk.risk_table())["Pair Co"]
    assert row.level == "high"
    assert row.open_case.id == case.id
    assert "Li Wei is leaving: only Wang Fang would still know" in row.reason
    # People who may not see handovers get the reason without them.
    plain = _by_name(at_risk.risk_table(with_cases=False))["Pair Co"]
    assert plain.level == "medium" and plain.open_case is None


def test_risk_for_account_is_plain_data(people, make_account, evidence_for, open_case):
    solo = make_account("Solo Ltd")
    evidence_for(solo, people.leaver)
    case = open_case()
    risk = at_risk.risk_for_account(solo)
    assert risk["level"] == "high"
    assert "Li Wei is leaving on" in risk["reason"]
    assert risk["people"][0]["username"] == "liwei"
    assert risk["top_share"] == 1.0
    assert risk["open_case"]["id"] == case.id
    assert (
        risk["open_case"]["leaving_on"]
        == (clock.now().date() + timedelta(days=30)).isoformat()
    )


def test_sort_by_tier(people, make_account):
    make_account("Small One", tier="small")
    make_account("Strategic One", tier="strategic")
    make_account("Key One", tier="key")
    rows = at_risk.sort_risks(at_risk.risk_table(), "tier")
    assert [r.account.tier for r in rows] == ["strategic", "key", "small"]


def test_what_if_lists_accounts_that_would_drop_to_one_or_none(
    people, make_account, evidence_for
):
    solo = make_account("Solo Ltd")
    pair = make_account("Pair Co")
    triple = make_account("Triple Co")
    evidence_for(solo, people.leaver)
    evidence_for(pair, people.leaver)
    evidence_for(pair, people.successor)
    for person in (people.leaver, people.successor, people.second):
        evidence_for(triple, person)
    drops = {w.account.name: w for w in at_risk.what_if(people.leaver)}
    assert set(drops) == {"Solo Ltd", "Pair Co"}
    assert (drops["Solo Ltd"].before, drops["Solo Ltd"].after) == (1, 0)
    assert drops["Pair Co"].remaining == [people.successor]
    assert at_risk.what_if(people.bystander) == []
    assert solo.id and pair.id and triple.id


def test_a_minor_expert_leaving_keeps_a_well_known_account_low(
    people, make_account, evidence_for, open_case, make
):
    third = make.user("third", display_name="Third Person")
    spread = make_account("Spread SA")
    for person in (people.successor, people.second, third):
        evidence_for(spread, people.bystander, person)
    evidence_for(spread, people.leaver)  # knows it least
    case = open_case(successors=[people.second])
    row = _by_name(at_risk.risk_table())["Spread SA"]
    assert row.level == "low"
    assert row.open_case.id == case.id
