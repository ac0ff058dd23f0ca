"""Measures, moves and evidence on the seed pair (labels from reading both plans)."""

from __future__ import annotations

from diffreport.edits import token_edits


def _clause_alignment(c, side, key):
    doc = c.old if side == "old" else c.new
    node = next(n for n in doc.of_kind("clause") if key in n.text.replace(" ", ""))
    return c.alignment_of(side, node.id), node


def test_moved_measures_report_both_places(seed_comparison):
    c = seed_comparison
    for key, src, dst in (
        ("航运金融", "拓展开放合作空间", "做强现代服务业体系"),
        ("天拖中学", "激活科教创新澎湃动能", "优化公共服务供给"),
        ("一老一小", "力促公共服务提标扩面", "兜牢民生保障底线"),
    ):
        a, node = _clause_alignment(c, "old", key)
        assert a.moved, key
        assert c.old.block_of(node.id).title == src
        assert c.new.block_of(a.new[0]).title == dst


def test_new_and_dropped_measures(seed_comparison):
    c = seed_comparison
    for key in ("高质量编制", "消费品以旧换新", "加装电梯"):
        assert _clause_alignment(c, "new", key)[0].status == "new", key
    for key in ("环卫一体化改革", "第三轮中央环保督察", "天津马拉松"):
        assert _clause_alignment(c, "old", key)[0].status == "dropped", key


def test_reworded_measure_is_changed_with_inline_diff(seed_comparison):
    a, _ = _clause_alignment(seed_comparison, "new", "海河英才")
    assert a.status == "changed"
    assert ("insert", "推进") in a.diff and ("delete", "落实") in a.diff


def test_inline_diff_keeps_numbers_and_units_whole():
    ops = token_edits("新开工面积50万平方米", "新开工面积60万平方米")
    assert ("delete", "50万平方米") in ops and ("insert", "60万平方米") in ops


def test_evidence_ranks_rare_terms_first(seed_comparison):
    a, _ = _clause_alignment(seed_comparison, "old", "天拖中学")
    assert a.evidence is not None and a.score is not None
    assert "天拖" in a.evidence.shared[:2]


def test_split_measure_lists_its_parts_with_shares(seed_comparison):
    # 2024 names the resources and the cluster in one clause; 2025 says them in two.
    a, _ = _clause_alignment(seed_comparison, "new", "做优高端医疗器械产业集群")
    assert a.status == "split"
    texts = [seed_comparison.new.node(i).text for i in a.new]
    assert any("中国医学科学院医工所" in t for t in texts)
    assert abs(sum(a.shares.values()) - 1.0) < 0.01
    assert set(a.to_dict()["parts"][0]) == {"id", "share"}


def _unlabelled(doc, node) -> str:
    """A unit's text without its numbering label (a block's own; a sentence's or clause's
    block's, when it opens with it): `第三十条` is no key term of article 30."""
    from diffreport.classify import LABEL_PREFIX

    text = node.text
    block = doc.block_of(node.id)
    if block is not None and block.label and text.startswith(block.label):
        text = text[len(block.label) :].lstrip()
    return LABEL_PREFIX.sub("", text, count=1) if node.kind == "block" else text


def _reference_key_terms(doc, node) -> list[str]:
    """Key terms as specified: content words of two or more characters, not figures nor
    function words (`有关`, `按照`), each once in reading order, without numbering labels;
    a section's title, then every text below it, one by one."""
    from diffreport.tokens import FUNCTION_WORDS, content_words

    if node.kind == "section":
        texts = [node.title]
        stack = list(reversed(doc.children(node.id)))
        while stack:
            child = stack.pop()
            if child.kind == "section":
                texts.append(child.title)
                stack.extend(reversed(doc.children(child.id)))
            else:
                texts.append(_unlabelled(doc, child))
    else:
        texts = [_unlabelled(doc, node)]
    words = [
        w
        for t in texts
        for w in content_words(t)
        if len(w) >= 2 and not w.isdigit() and w not in FUNCTION_WORDS
    ]
    return list(dict.fromkeys(words))


def test_evidence_is_the_rarest_terms_of_each_side_at_every_level(seed_comparison):
    # Checked against the definition (rarest first, then longer, then earlier), computed
    # the slow way, for every level: the classifier builds sections' terms from their parts.
    import heapq

    from diffreport.similarity import rarity

    c = seed_comparison
    weights = rarity(c.old, c.new)

    def best(words: list[str]) -> list[str]:
        keys = ((-weights.get(w, 0.0), -len(w), k, w) for k, w in enumerate(words))
        return [w for *_, w in heapq.nsmallest(8, keys)]

    checked = set()
    for a in c.alignments:
        if a.evidence is None:
            continue
        ow = list(
            dict.fromkeys(w for i in a.old for w in _reference_key_terms(c.old, c.old.node(i)))
        )
        nw = list(
            dict.fromkeys(w for i in a.new for w in _reference_key_terms(c.new, c.new.node(i)))
        )
        assert a.evidence.shared == best([w for w in nw if w in set(ow)]), a.old
        assert a.evidence.added == best([w for w in nw if w not in set(ow)]), a.old
        assert a.evidence.removed == best([w for w in ow if w not in set(nw)]), a.old
        checked.add(a.level)
    assert checked == {"section", "block", "sentence", "clause"}


def _width_folded(text: str) -> str:
    import unicodedata

    out = []
    for ch in text:
        tag, _, codes = unicodedata.decomposition(ch).partition(" ")
        out.append(
            "".join(chr(int(h, 16)) for h in codes.split()) if tag in ("<wide>", "<narrow>") else ch
        )
    return "".join(out)


def _reference_content_key(doc, node, minor: bool = False) -> str:
    """`unchanged` by its definition: equal after white space and width folding only, without
    numbering labels, over a section's whole subtree. ``minor``: punctuation (not between
    digits), case, script and compatibility glyphs folded too."""
    import re
    import unicodedata

    from diffreport.classify import LABEL_PREFIX
    from diffreport.normalise import to_simplified

    def key(text: str) -> str:
        text = "".join(_width_folded(text).split())
        if minor:
            text = unicodedata.normalize("NFKC", text).lower()
            text = "".join(
                ch
                for i, ch in enumerate(text)
                if not unicodedata.category(ch).startswith("P")
                or (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit())
            )
            text = to_simplified(text)
        return text

    if node.kind == "section":
        parts = [key(node.title)]
        parts += [_reference_content_key(doc, child, minor) for child in doc.children(node.id)]
        return "\n".join(parts)
    text = node.text
    if node.kind == "block":
        if node.label and text.startswith(node.label):
            text = text[len(node.label) :]
        if minor:
            text = re.sub(r"^\s+", "", unicodedata.normalize("NFKC", text))
            text = LABEL_PREFIX.sub("", text, count=1)
        text = LABEL_PREFIX.sub("", text, count=1)
    else:
        block = doc.block_of(node.id)
        if block.label and text.startswith(block.label):
            text = text[len(block.label) :]
    return key(text)


def test_unchanged_means_equal_text_without_numbering_over_the_whole_subtree():
    # A regulation revised article by article: renumbered but equal articles and chapters are
    # unchanged, any edit below a chapter makes it changed; an edit of punctuation, case or
    # script only is `changed` and `minor`. Against the definitions, computed the slow way
    # (the classifier compares part by part and skips equal text).
    from conftest import LAW

    from diffreport.compare import compare

    c = compare(
        LAW / "上海市优化营商环境条例.2020-04-10.md", LAW / "上海市优化营商环境条例.2024-09-27.md"
    )
    statuses = set()
    for a in c.alignments:
        if len(a.old) == 1 and len(a.new) == 1:
            o, n = c.old.node(a.old[0]), c.new.node(a.new[0])
            same = _reference_content_key(c.old, o) == _reference_content_key(c.new, n)
            assert (a.status == "unchanged") == same, (a.level, a.old, a.new)
            minor = not same and _reference_content_key(c.old, o, True) == _reference_content_key(
                c.new, n, True
            )
            assert a.minor == minor, (a.level, a.old, a.new)
            statuses.add((a.level, a.status, a.minor))
    assert {("section", "unchanged", False), ("section", "changed", False)} <= statuses
    assert ("clause", "changed", True) in statuses
