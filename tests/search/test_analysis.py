"""Chinese and English in one analyzer."""

from pathlib import Path

from portal.extensions import db
from portal.search.analysis import text_analyzer
from portal.wiki import service as wiki


def _page(title, body, author):
    page = wiki.create_page(title, body, author)
    db.session.commit()
    return page


def test_chinese_word_inside_a_longer_sentence(find, employee):
    _page("融合", "客户关系管理系统与知识管理的融合", employee)
    _page("Other", "客户服务流程", employee)
    assert find("知识管理", employee) == ["融合"]


def test_english_is_stemmed(find, employee):
    _page("KM", "Knowledge management for account teams.", employee)
    assert find("manage", employee) == ["KM"]
    assert find("MANAGING", employee) == ["KM"]


def test_mixed_query_needs_both_words(find, employee):
    _page(
        "ACME 续约计划", "今年的续约谈判由 Alice 负责。ACME wants a discount.", employee
    )
    _page("Only ACME", "ACME bought more licences.", employee)
    _page("只有续约", "续约的流程。", employee)
    assert find("ACME 续约", employee) == ["ACME 续约计划"]


def test_chinese_phrase_in_quotes(find, employee):
    _page("融合", "客户关系管理系统与知识管理的融合", employee)
    _page("分开", "知识很重要，管理也很重要", employee)
    assert find('"知识管理"', employee) == ["融合"]
    assert set(find("知识 管理", employee)) == {"融合", "分开"}


def test_positions_are_consecutive_and_offsets_kept():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in text_analyzer()("ACME 续约 Renewals", positions=True, chars=True)
    ]
    assert [pos for _, pos, _, _ in tokens] == list(range(len(tokens)))
    assert ("续约", 1, 5, 7) in tokens
    assert tokens[-1][0] == "renew" and tokens[-1][2:] == (8, 16)


def test_dictionary_cache_is_under_instance(app):
    import jieba

    assert Path(jieba.dt.tmp_dir).is_relative_to(Path(app.instance_path).parent) or (
        Path(jieba.dt.tmp_dir).name == "jieba"
    )
    assert jieba.dt.initialized
