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


def _chain_tokens(text, **kw):
    """Whoosh's own chain of filters over jieba's words: what the one-loop
    analyzer must give, token for token."""
    import jieba
    from whoosh.analysis import LowercaseFilter, StemFilter, StopFilter, Token

    from portal.search.analysis import _WORDS, STOP_WORDS

    def tokenizer(value, positions=False, chars=False, removestops=True, **_):
        token = Token(positions, chars, removestops=removestops)
        pos = 0
        for match in _WORDS.finditer(value):
            if match.group(1):
                base = match.start(1)
                pieces = jieba.dt.tokenize(match.group(1), mode="search")
            else:
                base = 0
                pieces = ((match.group(2), match.start(2), match.end(2)),)
            for word, start, end in pieces:
                token.text, token.boost, token.stopped = word, 1.0, False
                token.pos, pos = pos, pos + 1
                token.startchar, token.endchar = base + start, base + end
                yield token

    chain = [
        LowercaseFilter(),
        StopFilter(stoplist=STOP_WORDS, minsize=1),
        StemFilter(ignore=None),
    ]
    stream = tokenizer(text, **kw)
    for f in chain:
        stream = f(stream)
    return [(t.text, t.pos, t.startchar, t.endchar, t.stopped) for t in stream]


TEXTS = [
    "客户关系管理系统与知识管理的融合",
    "The management of ACME 续约 renewals: it's THE plan, e.g. café.",
    "a the 的 of manage 和 Managing",
    "",
]


def test_one_loop_analyzer_gives_whoosh_chains_tokens():
    analyzer = text_analyzer()
    for text in TEXTS:
        for kw in (
            {"positions": True, "chars": True},
            {"positions": True, "chars": True, "removestops": False},
        ):
            got = [
                (t.text, t.pos, t.startchar, t.endchar, t.stopped)
                for t in analyzer(text, **kw)
            ]
            assert got == _chain_tokens(text, **kw), (text, kw)


def test_index_postings_match_the_token_stream():
    from portal.search.backend import make_schema

    content = make_schema()["content"]
    for text in TEXTS:
        expected = {}
        for t in text_analyzer()(text, positions=True):
            expected.setdefault(t.text, []).append(t.pos)
        got = {
            word.decode(): (freq, weight, content.format.decode_positions(value))
            for word, freq, weight, value in content.index(text)
        }
        assert got == {w: (len(p), float(len(p)), p) for w, p in expected.items()}, text
