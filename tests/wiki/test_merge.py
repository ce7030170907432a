"""The three-way merge behind edit conflicts."""

from portal.wiki.merge import merge3

BASE = "# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n"


def test_changes_to_different_lines_merge_cleanly():
    theirs = BASE.replace("First paragraph.", "First paragraph, improved.")
    mine = BASE.replace("Third paragraph.", "Third paragraph, mine.")
    result = merge3(BASE, theirs, mine)
    assert result.clean
    assert "First paragraph, improved." in result.text
    assert "Third paragraph, mine." in result.text
    assert "<<<<<<<" not in result.text


def test_changes_to_the_same_line_conflict_and_keep_both():
    theirs = BASE.replace("Second paragraph.", "Second, their way.")
    mine = BASE.replace("Second paragraph.", "Second, my way.")
    result = merge3(BASE, theirs, mine, labels=("theirs", "mine"))
    assert not result.clean
    assert result.conflicts == 1
    assert (
        "<<<<<<< theirs\nSecond, their way.\n=======\nSecond, my way.\n>>>>>>> mine"
        in (result.text)
    )
    # The rest of the text is merged around the conflict.
    assert result.text.startswith("# Title\n\nFirst paragraph.\n")


def test_the_same_change_on_both_sides_is_no_conflict():
    changed = BASE.replace("Second paragraph.", "Same fix.")
    result = merge3(BASE, changed, changed)
    assert result.clean
    assert result.text == changed


def test_both_appending_at_the_end_is_a_conflict():
    result = merge3(BASE, BASE + "Their line.\n", BASE + "My line.\n")
    assert not result.clean


def test_one_side_unchanged_takes_the_other():
    theirs = BASE.replace("Third", "3rd")
    assert merge3(BASE, theirs, BASE).text == theirs
    assert merge3(BASE, BASE, theirs).text == theirs


def test_adjacent_lines_changed_by_each_side_merge():
    base = "a\nb\nc\n"
    result = merge3(base, "A\nb\nc\n", "a\nB\nc\n")
    assert result.clean
    assert result.text == "A\nB\nc\n"


def test_insertion_next_to_a_change_merges_in_order():
    base = "a\nb\nc\n"
    result = merge3(base, "a\nnew\nb\nc\n", "a\nB\nc\n")
    assert result.clean
    assert result.text == "a\nnew\nB\nc\n"


def test_missing_final_newline_is_not_a_conflict():
    result = merge3("a\nb", "a\nb\nc", "x\nb")
    assert result.clean
    assert result.text == "x\nb\nc"


def test_chinese_paragraphs_merge():
    base = "## 背景\n客户是银行。\n\n## 需求\n需要热线支持。\n"
    theirs = base.replace("客户是银行。", "客户是股份制银行。")
    mine = base.replace("需要热线支持。", "需要热线和在线支持。")
    result = merge3(base, theirs, mine)
    assert result.clean
    assert "股份制银行" in result.text and "热线和在线支持" in result.text
