"""Words: rjieba must segment as jieba does (the similarity, term and target code relies on
jieba's words), numbers keep their units, and TF-IDF keywords are jieba.analyse's."""

from __future__ import annotations

import logging
import re
import unicodedata
from itertools import pairwise

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
    from diffreport.compare import load
    from diffreport.sides import node_profiles
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


def test_branching_nodes_are_those_counted_parent_by_parent():
    """Document.branching (read off the children index, which parse and Document.part build
    as they go) is every node with more than one child, as counting each node's parent finds."""
    from collections import Counter

    from diffreport.compare import load
    from diffreport.model import Document

    paths = [SEEDS / "nankai-2021-government-work-report.txt", *law_pairs()[1]]
    paths.append(SEEDS.parent / "tests/fixtures/english/github-acceptable-use-policies.2024.md")
    branching = 0
    for path in paths:
        doc = load(path)
        for part in (doc, doc.part(front=False), doc.part(front=True), Document(list(doc.nodes))):
            counted = Counter(n.parent for n in part.nodes)
            assert part.branching() == {p for p, n in counted.items() if n > 1}, path
        branching += len(doc.branching())
    assert branching > 100


def test_cut_at_punctuation_keeps_numbers_and_words_whole():
    from diffreport.sides import cut_at_punctuation

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


# How many chunks of words (60 nodes each) the other process has sent by each look (0: none,
# ever; many: all of them by the first look).
@pytest.mark.parametrize("pace", [0, 1, 2, 5, 10_000])
def test_words_found_ahead_elsewhere_make_the_same_profiles_and_are_used(pace, monkeypatch):
    """The words another process finds from a document's first node on (what node_profiles
    would look up for them), as they come while node_profiles works up from the last node,
    give it the very profiles and codes it makes alone, wherever the two meet; it looks
    from the last node down and no more once all the nodes left are covered, and uses the
    words as given."""
    from itertools import islice

    from diffreport import sides
    from diffreport.compare import load
    from diffreport.sides import node_profiles, words_ahead
    from diffreport.similarity import Vocabulary

    monkeypatch.setattr(sides, "AHEAD_POLL", 40)  # (looks every 40 nodes: a small document)

    old_path, new_path = law_pairs()[1]
    old, new = load(old_path), load(new_path)
    alone = Vocabulary()
    expected = [node_profiles(old, alone), node_profiles(new, alone)]
    assert len(old.nodes) > 10 * 40  # (several looks)

    def run(mark: str) -> tuple[list[dict], Vocabulary, list[tuple[int, int]]]:
        chunks = iter(list(words_ahead(old, chunk=60)))  # (as another process sends them:
        tokens.content_word_tuple.cache_clear()  # found there, not cached here)
        covered, asked = 0, []

        def ahead(end: int) -> tuple[int, list]:
            nonlocal covered
            taken = []
            for at, words, made, size, check, upto in islice(chunks, pace):
                marked = [tuple(w + mark for w in ws) for ws in words]
                taken.append((at, marked, made, size, check, upto))
                covered = upto
            asked.append((end, covered))
            return covered, taken

        vocab = Vocabulary()
        try:
            got = [node_profiles(old, vocab, ahead), node_profiles(new, vocab)]
        finally:  # (words marked and cached by text must not serve other tests)
            tokens.forget_given_words()
            tokens.content_word_tuple.cache_clear()
        return got, vocab, asked

    got, vocab, asked = run("")
    assert got == expected and vocab.codes == alone.codes
    assert list(got[0]) == list(expected[0])  # (made in the same order)
    ends = [end for end, _ in asked]
    assert ends[0] == len(old.nodes) and all(a - b == 40 for a, b in pairwise(ends))
    assert all(covered < end for end, covered in asked[:-1])  # (asked while not covered)
    assert asked[-1][1] >= asked[-1][0] or asked[-1][0] <= 40

    # Words marked as found elsewhere are the ones used, for the texts of the nodes below
    # where the two met (those above are profiled before the words come).
    marked, vocab, asked = run("#")
    met = next((end for end, covered in asked if covered >= end), 0)
    later = {n.text for n in old.nodes[met:]} | {n.title for n in old.nodes[met:]}
    words_of = vocab.words()
    own = [n for n in old.nodes[:met] if n.kind != "section" and len(old.children(n.id)) < 2]
    below = [n for n in own if n.text not in later]  # (profiled by their own text, first)
    used = [[words_of[ord(c) - 0x10000] for c in marked[0][n.id].ordered] for n in below]
    assert all(w.endswith("#") for ws in used for w in ws)
    assert bool(any(used)) == (pace > 0)


def test_the_new_bodys_words_ahead_skip_the_texts_the_old_body_looked_up():
    """The new body's words found elsewhere (after the old body's profiling) are those of
    its texts that the old body's profiling did not look up, and profiling the new body with
    them as they come gives the very profiles and codes made alone."""
    from itertools import islice

    from diffreport.compare import load
    from diffreport.sides import node_profiles, texts_looked_up, words_ahead
    from diffreport.similarity import Vocabulary

    old_path, new_path = law_pairs()[1]
    old, new = load(old_path), load(new_path)
    alone = Vocabulary()
    expected = [node_profiles(old, alone), node_profiles(new, alone)]
    known = texts_looked_up(old)
    chunks = list(words_ahead(new, chunk=60, known=known))
    sent = {_looked_up(new.nodes[i]) for at, *_ in chunks for i in at}
    assert sent and sent <= texts_looked_up(new) - known  # (the old body's texts: none)
    assert len(sent) < len(texts_looked_up(new))  # (a revision keeps most of its texts)
    vocab = Vocabulary()
    got = [node_profiles(old, vocab)]
    coming = iter(chunks)
    covered = 0

    def ahead(end: int) -> tuple[int, list]:
        nonlocal covered
        taken = list(islice(coming, 3))  # (a few chunks come between two looks)
        covered = taken[-1][-1] if taken else covered
        return covered, taken

    try:
        got.append(node_profiles(new, vocab, ahead))
    finally:
        tokens.forget_given_words()
    assert got == expected and vocab.codes == alone.codes
    assert covered > 0


def _looked_up(node) -> str:
    """The text node_profiles looks up for ``node`` (a section's title, else its text)."""
    return node.title or node.text if node.kind == "section" else node.text


def test_words_ahead_for_another_document_are_passed_over():
    """Words sent ahead for another document (the other body, or a document of the same
    size whose texts differ) are not used: node_profiles finds those words itself, and makes
    the profiles it makes alone."""
    from diffreport.compare import load
    from diffreport.sides import node_profiles, words_ahead
    from diffreport.similarity import Vocabulary

    old_path, new_path = law_pairs()[1]
    old, new = load(old_path), load(new_path)
    alone = Vocabulary()
    expected = node_profiles(old, alone)
    # Another document's chunks, then this one's with the check of other texts (the same
    # positions, another document of the same size), their words all marked.
    chunks = [*words_ahead(new, chunk=60), *words_ahead(old, chunk=60)]
    bad = [
        (at, [tuple(w + "#" for w in ws) for ws in words], made, size, check + 1, upto)
        for at, words, made, size, check, upto in chunks
    ]
    sizes = {size for *_, size, _, _ in bad}
    assert len(old.nodes) in sizes and len(new.nodes) in sizes
    coming = iter(bad)

    def ahead(end: int) -> tuple[int, list]:
        taken = list(coming)
        covered = max((found[-1] for found in taken), default=0)
        return min(covered, end - 1), taken  # (never all covered: every look takes what came)

    vocab = Vocabulary()
    tokens.content_word_tuple.cache_clear()  # (the words are found here, not cached)
    try:
        got = node_profiles(old, vocab, ahead)
    finally:
        tokens.forget_given_words()
        tokens.content_word_tuple.cache_clear()
    assert got == expected and vocab.codes == alone.codes
    assert not any(w.endswith("#") for w in vocab.codes)


def test_nodes_found_made_from_their_children_ahead_are_not_looked_at_again(monkeypatch):
    """node_profiles checks whether a node is made from its children's codes only for the
    nodes whose words were not sent ahead: the sender found it for the others."""
    from diffreport import sides
    from diffreport.compare import load
    from diffreport.sides import node_profiles, words_ahead
    from diffreport.similarity import Vocabulary

    doc = load(law_pairs()[1][0])
    chunks = list(words_ahead(doc, count=len(doc.nodes) // 2))
    cut = sides.cut_at_punctuation
    looked: list[str] = []

    def counted(text: str, pieces: list[str]) -> bool:
        looked.append(text)
        return cut(text, pieces)

    monkeypatch.setattr(sides, "cut_at_punctuation", counted)
    expected = node_profiles(doc, Vocabulary())
    everywhere, looked[:] = len(looked), []

    coming, covered = iter(chunks), 0

    def ahead(end: int) -> tuple[int, list]:
        nonlocal covered
        taken = list(coming)  # (all of them by the first look)
        covered = taken[-1][-1] if taken else covered
        return covered, taken

    try:
        assert node_profiles(doc, Vocabulary(), ahead) == expected
    finally:
        tokens.forget_given_words()
    made_ahead = sum(len(made) for _, _, made, *_ in chunks)
    assert made_ahead > 20 and len(looked) == everywhere - made_ahead
