"""The tokenise stage (issue 17): what its shortcuts must keep exactly as they were."""

from __future__ import annotations

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


def test_traditional_characters_inside_and_beyond_the_basic_plane_are_converted():
    assert to_simplified("發展經濟") == "发展经济"
    assert to_simplified("发展\U0002005e经济") == "发展\U0002003e经济"  # 𠁞 → 𠀾
    plain = "发展经济，推进𠀀城市更新"  # an astral character t2s leaves alone
    assert to_simplified(plain) is plain
    assert fold("ＧＤＰ增長５％") == "gdp增长5%"


def test_traditional_characters_are_those_opencc_tables_change():
    # Twin of normalise.traditional_characters' shortcuts (lines whose key is unchanged or one
    # character): every line read the long way, a character kept where it differs.
    from importlib.util import find_spec
    from pathlib import Path

    from diffreport.normalise import traditional_characters

    spec = find_spec("opencc")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(spec.submodule_search_locations[0], "dictionary")
    chars: set[str] = set()
    for name in ("TSPhrases.txt", "TSCharacters.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            value = values.split(" ")[0]
            if len(key) != len(value):
                chars.update(key)
            else:
                chars.update(k for k, v in zip(key, value, strict=True) if k != v)
    assert len(chars) > 1000
    assert traditional_characters() == chars
