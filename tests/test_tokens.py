"""Words: rjieba must segment as jieba does (the similarity, term and target code relies on
jieba's words), numbers keep their units, and TF-IDF keywords are jieba.analyse's."""

from __future__ import annotations

import logging
import re
import unicodedata

import pytest
from conftest import SEEDS, law_pairs
from hypothesis import example, given
from hypothesis import strategies as st

from diffreport import tokens
from diffreport.normalise import fold, nfkc

_RUN = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture(scope="module")
def jieba_with_policy_terms():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(tokens.DATA_DIR / "policy_terms.txt"))
    return tokenizer


def _runs() -> list[str]:
    texts = [(SEEDS / "nankai-2025-plan.txt").read_text(encoding="utf-8")]
    texts += [old.read_text(encoding="utf-8") for old, _ in law_pairs()[:2]]
    return list(dict.fromkeys(m.group() for t in texts for m in _RUN.finditer(fold(t))))


def test_rjieba_segments_as_jieba_with_the_policy_terms(jieba_with_policy_terms):
    runs = _runs()
    assert len(runs) > 1000
    differ = [r for r in runs if list(tokens.cut_run(r)) != jieba_with_policy_terms.lcut(r)]
    assert differ == []


def test_policy_terms_stay_whole():
    assert "新质生产力" in tokens.content_words("加快发展新质生产力")
    assert "天开高教科创园" in tokens.content_words("建设天开高教科创园核心区")


def test_numbers_keep_their_units_and_english_is_lowercased():
    assert tokens.content_words("增长4.5%，新增60万平方米") == [
        "增长",
        "4.5%",
        "新增",
        "60万平方米",
    ]
    assert tokens.content_words("The Service shall not") == ["service"]
    assert tokens.content_words("全市的ＧＤＰ增长5%") == ["全市", "gdp", "增长", "5%"]


def test_display_tokens_concatenate_back_to_the_text():
    text = "（一）推动GDP增长6%以上，建设“天开园”。"
    assert "".join(tokens.display_tokens(text)) == text


def test_keywords_are_jieba_analyse_tfidf(jieba_with_policy_terms):
    import jieba.analyse

    text = (SEEDS / "nankai-2024-plan.txt").read_text(encoding="utf-8")[:4000]
    extractor = jieba.analyse.TFIDF()
    extractor.tokenizer = jieba_with_policy_terms
    assert tokens.keywords(text, 20) == extractor.extract_tags(text, topK=20)


def test_keywords_keep_no_runs_of_the_text():
    # A document's TF-IDF runs are read once: cached they cost 40 MB at 2 MB a side, held
    # for nothing (in the comparison's side child, on top of the pages the fork copies).
    # Three thousand different runs of eight words: only what each word weighs may stay.
    import random
    import tracemalloc

    words = "发展 推进 建设 城市 经济 服务 管理 创新".split()
    pick = random.Random(0)
    text = "，".join("".join(pick.choices(words, k=6)) for _ in range(3000))
    tokens.keywords("推动高质量发展", 5)  # the segmenter and the IDF table loaded
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        assert tokens.keywords(text, 5)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 20_000, kept


def test_profiles_composed_from_children_equal_tokenising_the_text():
    from diffreport.align import node_profiles
    from diffreport.compare import load
    from diffreport.similarity import Vocabulary

    paths = [SEEDS / "nankai-2021-government-work-report.txt", *law_pairs()[1]]
    paths.append(SEEDS.parent / "tests/fixtures/english/github-acceptable-use-policies.2024.md")
    composed = 0
    for path in paths:
        doc = load(path)
        vocab = Vocabulary()
        profiles = node_profiles(doc, vocab)
        for node in doc.nodes:
            if node.kind != "section":
                assert profiles[node.id].ordered == vocab.profile(node.text).ordered, node.text
                composed += len(doc.children(node.id)) > 1
    assert composed > 100  # the rule is exercised, not only the fallback


def test_cut_at_punctuation_keeps_numbers_and_words_whole():
    from diffreport.align import cut_at_punctuation

    assert cut_at_punctuation("第一句。\n第二句，第三", ["第一句。", "第二句，第三"])
    assert not cut_at_punctuation("增长1，000个", ["增长1，", "000个"])  # one number
    assert cut_at_punctuation("增长1，\n000个", ["增长1，", "000个"])
    assert not cut_at_punctuation("新增60万平方米", ["新增60", "万平方米"])  # number and unit
    assert not cut_at_punctuation("abc。def", ["abc。", "de"])  # text left over
    assert not cut_at_punctuation("abc。def", ["abc。", "xyz"])


def test_user_dictionary_lines_parse_as_jieba_reads_them(tmp_path, monkeypatch):
    (tmp_path / "policy_terms.txt").write_text(
        "\ufeff新质生产力 100 n\n天开园 n\n京津冀 7\n", "utf-8"
    )
    monkeypatch.setattr(tokens, "DATA_DIR", tmp_path)
    assert tokens.user_words() == [
        ("新质生产力", 100, "n"),
        ("天开园", None, "n"),
        ("京津冀", 7, None),
    ]


# Full-width marks next to what NFKC composes or reorders: combining marks, Hangul jamo,
# half-width kana with their voicing marks, compatibility forms (`①`, `²`, `…`).
_NFKC_ALPHABET = (
    "，（）；：？！,()a第一条文。、①²…ｶﾞﾟ\u1100\u1161\u11a8\u0301\u0308\u0323\u3000ＡＢ１２"
)


@given(st.text(alphabet=_NFKC_ALPHABET, max_size=12))
@example("，\u0301")
@example("e，\u0308\u0301")
def test_nfkc_is_unicodedata_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_on_the_seeds_and_laws():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for pair in law_pairs() for p in pair]
    for text in texts:
        for line in text.splitlines():
            assert nfkc(line) == unicodedata.normalize("NFKC", line)


def test_words_found_ahead_elsewhere_make_the_same_profiles_and_are_used():
    """The words another process finds for a document's first nodes (what node_profiles would
    look up for them) give node_profiles the very profiles and codes it makes alone; it asks
    for them only after profiling the other nodes, and uses them as given."""
    from diffreport.align import node_profiles, take_words_ahead, words_ahead
    from diffreport.compare import load
    from diffreport.similarity import Vocabulary

    old_path, new_path = law_pairs()[1]
    old, new = load(old_path), load(new_path)
    alone = Vocabulary()
    expected = [node_profiles(old, alone), node_profiles(new, alone)]
    split = len(old.nodes) // 2
    found = words_ahead(old, split)
    assert found[0] and max(found[0]) < split
    asked: list[int] = []

    def ready() -> None:
        asked.append(len(vocab.codes))
        take_words_ahead(old, found)

    vocab = Vocabulary()
    got = [node_profiles(old, vocab, (split, ready)), node_profiles(new, vocab)]
    tokens.forget_given_words()
    assert got == expected and vocab.codes == alone.codes
    assert list(got[0]) == list(expected[0])  # (made in the same order)
    assert asked and 0 < asked[0] < len(vocab.codes)  # between the last nodes and the first

    # Words marked as found elsewhere are the ones used, for texts not profiled already.
    tokens.content_word_tuple.cache_clear()
    at, words, sizes = found
    marked = (at, [w + "#" for w in words], sizes)
    vocab = Vocabulary()
    try:
        profiles = node_profiles(old, vocab, (split, lambda: take_words_ahead(old, marked)))
    finally:  # (the marked words, cached by text, must not serve other tests)
        tokens.forget_given_words()
        tokens.content_word_tuple.cache_clear()
    later = {n.text for n in old.nodes[split:]}
    words_of = vocab.words()
    first = [old.nodes[k] for k in at]  # (the nodes profiled by their own text)
    first = [n for n in first if n.kind != "section" and n.text not in later]
    used = [[words_of[ord(c) - 0x10000] for c in profiles[n.id].ordered] for n in first]
    assert any(used) and all(w.endswith("#") for ws in used for w in ws)
