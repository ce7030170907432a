"""Evidence terms: segmenting a text block by block, with each block's terms
remembered, gives exactly what jieba gives for the whole text."""

import random

from portal.experts import text

SAMPLES = [
    "客户关系管理系统与知识管理的融合",
    "ACME 续约: the renewal invoices were late, 发票在月底前寄出。",
    "C++ and R&D at 3.5% — v2.0-beta_rc1 released; 版本2.0已发布",
    "Café naïve Ünïcödé ß straße",
    "日本語のテキストと한국어 mixed with 中文和English",
    "Rare ideographs 㐀㐁 and 龥鿿 beside common 知识",
    "line one\r\nline two\n\tindented   spaced",
    "",
    "   ",
    "___ --- ... %%% ###",
]

# Every kind of character the segmenter treats differently: Chinese (common
# and extension A), Latin letters, digits, the symbols jieba keeps inside a
# block, whitespace, punctuation, accented letters, kana, Hangul, underscore.
ALPHABET = list(
    "知识管理客户续约发票系统融合的了是在我们"
    "㐀㐁龥鿿"
    "abcdefghijklmnopqrstuvwxyzABCXYZ"
    "0123456789"
    "+#&._%-"
    " \t\n\r"
    ",;:!?()[]{}'\"/，。：！？、"
    "éüßñ"
    "のテ한국"
    "_"
)


def test_known_texts_match_the_whole_text_segmentation():
    for sample in SAMPLES:
        assert text.terms(sample) == text._segment(sample.lower()), sample


def test_random_texts_match_the_whole_text_segmentation():
    rng = random.Random(7)
    for _ in range(400):
        sample = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 80)))
        assert text.terms(sample) == text._segment(sample.lower()), sample


def test_terms_are_found_in_chinese_and_english():
    terms = text.terms("客户关系管理系统与知识管理的融合. Invoices managed")
    assert {"知识", "管理", "客户", "invoic", "manag"} <= set(terms)
    assert "的" not in terms


def test_repeated_blocks_are_segmented_once():
    text._block_terms.cache_clear()
    text.terms("renewal renewal renewal 续约 续约")
    info = text._block_terms.cache_info()
    # "renewal", " ", "续约" are three distinct blocks.
    assert (info.misses, info.currsize) == (3, 3)
