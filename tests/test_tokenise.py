"""The tokenise stage (issue 17): what its shortcuts must keep exactly as they were."""

from __future__ import annotations

from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from diffreport.align import Aligner
from diffreport.compare import load
from diffreport.normalise import fold, to_simplified
from diffreport.similarity import Profile, Vocabulary

# Pieces that a block's sentences and clauses are cut from: words, numbers that commas and
# full stops join (`1,000`, `4.5`), and the punctuation that does or does not end a word.
_PIECES = st.lists(
    st.sampled_from(
        ["推进", "城市更新", "12", "4.5", "万元", "，", "。", "；", ",", "、", " ", "A"]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=6))
def test_a_units_profile_is_the_words_of_its_text(paragraphs):
    """Blocks and sentences built from their children's words (when their text is the
    children's, cut at punctuation) hold exactly the words of their own text, in order."""
    doc = load("第一章 总则\n\n" + "\n\n".join(paragraphs) + "\n")
    aligner = Aligner(doc, doc)
    direct = Vocabulary(codes=aligner.vocab.codes)
    for node in doc.nodes:
        if node.kind != "section":
            got = aligner.old.profiles[node.id]
            assert got.ordered == direct.profile(node.text).ordered, node.text
            assert got.bag == "".join(sorted(got.ordered))


def test_a_profiles_bag_is_its_codes_sorted_whenever_it_is_read():
    codes = "".join(chr(0x10000 + k) for k in (5, 3, 9, 3, 1))
    assert Profile(codes).bag == "".join(sorted(codes))
    assert Profile.of(codes) == Profile(codes) == Profile(codes, "".join(sorted(codes)))
    long = codes * 100  # the counted path, past 256 codes
    assert Profile.of(long).bag == "".join(sorted(long))


def _t2s_pieces() -> list[str]:
    """opencc's t2s phrases and some of its characters (changed and left as they are), their
    first characters, and separators: texts made of them hold overlapping and nested
    phrases, which is where the order in which opencc tries them shows."""
    from diffreport.normalise import T2S_TABLES, opencc_table

    phrases, characters = map(opencc_table, T2S_TABLES)
    chars = sorted(characters)[::37]
    return [*phrases, *{p[0] for p in phrases}, *{p[-1] for p in phrases}, *chars, *_SEPARATORS]


# What opencc converts between, and other white space and marks: `\u3000` is both.
_SEPARATORS = list("，。、；：？！…“”「」（）《》—－ \t\u3000\u00a0.,-?!*/[]") + ["  ", "\n\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_t2s_pieces()), max_size=16).map("".join))
def test_t2s_converts_as_opencc_does(text):
    """The tables applied here give opencc's own output (its pure-Python engine: the twin)."""
    import opencc

    from diffreport.normalise import t2s_converter

    assert t2s_converter().convert(text) == opencc.OpenCC("t2s").convert(text)


def test_t2s_takes_the_leftmost_of_overlapping_phrases_as_opencc_does():
    """Two phrases of one length that overlap (`凌藉` and `藉藉` in `凌藉藉`): opencc replaces
    the leftmost, and converts what is left of the other on its own."""
    import opencc

    from diffreport.normalise import opencc_table, t2s_converter

    reference = opencc.OpenCC("t2s")
    phrases = opencc_table("TSPhrases.txt")
    overlaps = {
        a + b[k:]
        for a in phrases
        for b in phrases
        if a != b and len(a) == len(b)
        for k in range(1, len(a))
        if a[-k:] == b[:k]
    }
    mattered = 0
    for text in sorted(overlaps):
        assert t2s_converter().convert(text) == reference.convert(text), text
        mattered += reference.convert(text) != reference.convert(text[1:]) and (
            reference.convert(text[:1]) + reference.convert(text[1:]) != reference.convert(text)
        )
    assert len(overlaps) > 50 and mattered > 10


def test_t2s_cuts_at_opencc_separators_as_opencc_does():
    import opencc

    from diffreport.normalise import t2s_converter

    separators = opencc.OpenCC().split_chars_re
    every = "".join(map(chr, range(0x10000)))  # (every character of the plane, in order)
    text = every + "  \t\n甲" + "".join(f"{c}{c}乙" for c in every[:0x3100])
    assert t2s_converter().split(text) == separators.split(text)


def test_t2s_converts_the_seeds_as_opencc_does():
    import opencc

    from diffreport.normalise import t2s_converter, traditional_chars

    reference, traditional = opencc.OpenCC("t2s"), traditional_chars()
    lines = [
        line
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    lines.append("於是，乾隆皇帝發現這個問題：製造業與電腦軟體的發展；後來他們決定乾杯。")
    lines += ["".join(traditional)[k : k + 60] for k in range(0, len(traditional), 60)]
    changed = 0
    for line in lines:
        got = t2s_converter().convert(line)
        assert got == reference.convert(line), line
        changed += got != line
    assert changed > 10


def test_traditional_characters_inside_and_beyond_the_basic_plane_are_converted():
    assert to_simplified("發展經濟") == "发展经济"
    assert to_simplified("发展\U0002005e经济") == "发展\U0002003e经济"  # 𠁞 → 𠀾
    plain = "发展经济，推进𠀀城市更新"  # an astral character t2s leaves alone
    assert to_simplified(plain) is plain
    assert fold("ＧＤＰ增長５％") == "gdp增长5%"
