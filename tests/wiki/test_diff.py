"""Word-level differences, readable for Chinese text too."""

from portal.wiki.diff import change_size, diff, tokens


def changes(old, new):
    return [(op, text) for op, text in diff(old, new).segments if op != "equal"]


def test_english_is_compared_word_by_word():
    assert changes("the quick brown fox", "the slow brown fox") == [
        ("delete", "quick"),
        ("insert", "slow"),
    ]


def test_chinese_is_compared_character_by_character():
    assert changes("客户是一家银行。", "客户是一家保险公司。") == [
        ("delete", "银行"),
        ("insert", "保险公司"),
    ]


def test_mixed_text_tokens():
    assert tokens("CRM系统 v2.0") == ["CRM", "系", "统", " ", "v2", ".", "0"]


def test_counts_characters_added_and_removed():
    result = diff("abc def", "abc xyz def")
    assert (result.added, result.removed) == (4, 0)
    assert change_size("客户银行", "客户保险") == 4


def test_identical_texts_have_no_changes():
    result = diff("same\ntext\n", "same\ntext\n")
    assert not result.changed


def test_long_unchanged_stretches_are_folded():
    old = "".join(f"line {n}\n" for n in range(40))
    new = old.replace("line 20\n", "line twenty\n")
    segments = diff(old, new).segments
    skips = [int(text) for op, text in segments if op == "skip"]
    assert skips == [18, 17]
    shown = "".join(text for op, text in segments if op == "equal")
    assert "line 19" in shown and "line 21" in shown
    assert "line 5\n" not in shown
    assert len(diff(old, new, fold=False).segments) == 4


def test_from_empty_text_everything_is_inserted():
    assert diff("", "新页面").segments == [("insert", "新页面")]
