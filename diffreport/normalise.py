"""Clean what extraction leaves behind, keeping the text otherwise faithful.

Two levels: :func:`clean_text` makes text fit to show and to write (artifacts, control
characters, spaces inside Chinese, full-width letters and digits); :func:`match_key` makes a
key for *comparison* only (traditional → simplified, punctuation variants, no spaces), so that
`总 则` and `总则`, or `總則`, compare equal while the report shows them as written.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path


def compiled_later(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """An accessor of ``pattern`` compiled at its first call: for a pattern only some inputs
    or only the side child use (a class of CJK ranges costs 1-3 ms to compile at import)."""
    return cache(lambda: re.compile(pattern, flags))


# `[bookmark: _GoBack]`, `[image: …]`, `{#_Toc123 .anchor}` and similar conversion debris.
_ARTIFACT = re.compile(
    r"\[(?:bookmark|image|anchor)[^\]\n]{0,200}\]|\{#_[A-Za-z0-9_]+[^}\n]{0,80}\}"
)
# C0/C1 controls other than tab and newline, zero-width characters, BOM, soft hyphen, and the
# bidi embedding/override/isolate controls (they reorder what is shown, so what is shown
# would not be what was compared).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\u00ad\ufffe\uffff"
    r"\u061c\u202a-\u202e\u2066-\u2069]"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uff0f\uff1a-\uff20\u2018-\u201f\u2026\u2014"
# Whitespace with a Chinese character or Chinese punctuation on one side and a Chinese
# character, punctuation or a digit on the other is an extraction artifact (`投资落 地`,
# `2025 年`, `“十四五 ”`); a space next to a Latin letter is kept (`京东 MALL`).
# Written to start with the space (its neighbours are checked from there): a pattern that
# starts with a character set lets the regex engine skip to the next space in C, where a
# leading lookbehind is tried at every position (five times slower on a Chinese text).
_SPACE_IN_CJK = re.compile(
    rf"[ \t\u00a0](?:(?<=[{_CJK}][ \t\u00a0])[ \t\u00a0]*(?=[{_CJK}0-9])"
    rf"|(?<=[{_CJK}0-9%][ \t\u00a0])[ \t\u00a0]*(?=[{_CJK}]))"
)
_MULTISPACE = re.compile(r"[ \t\u00a0]{2,}")
_SPACE_RUN = re.compile(r"  +")


# Full-width ASCII letters, digits and a few symbols to half-width; CJK punctuation is kept.
_HALF_WIDTH = {
    code: code - 0xFEE0
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_HALF_WIDTH |= {ord(ch): ord(ch) - 0xFEE0 for ch in "％．＋－＝＜＞／＆＃＠＿"}
_HALF_WIDTH[0x3000] = ord(" ")
# Only the rare runs of such characters are translated: scanning for them is done in C, and
# ``str.translate`` over a whole text looks up every character in a dict.
_FULL_WIDTH_RUN = re.compile("[" + "".join(map(chr, _HALF_WIDTH)) + "]+")


def _fold_width(text: str) -> str:
    return bounded_sub(_FULL_WIDTH_RUN, lambda m: m.group().translate(_HALF_WIDTH), text)


# The characters the surrogate and control steps of clean_text act on, in one class: a text
# without any (nearly every text) is scanned once for them, not twice. (Full-width letters
# and digits are common in Chinese text: their step has a scan of its own.)
_RARE = re.compile("[" + _SURROGATE.pattern[1:-1] + _CONTROL.pattern[1:-1] + "]")
# What an artifact starts with: checked by ``in`` (a search in C) before the regex runs.
_ARTIFACT_STARTS = ("{#_", "[bookmark", "[image", "[anchor")


def clean_text(text: str) -> str:
    """Normalise one paragraph (or a whole text) for display and writing."""
    text = unicodedata.normalize("NFC", text)
    # Each step is skipped where it has nothing to do: the steps before a step only remove
    # characters or turn them into spaces, so what the NFC text lacks, they never add.
    rare = _RARE.search(text) is not None
    if rare:
        text = bounded_sub(_SURROGATE, "", text)
    if any(start in text for start in _ARTIFACT_STARTS):
        text = bounded_sub(_ARTIFACT, "", text)
    text = text.replace("\t", " ").replace("\f", " ").replace("\v", " ")
    if rare:
        text = bounded_sub(_CONTROL, "", text)
    text = _fold_width(text)
    # (tabs are spaces by now; without a no-break space a run is of spaces alone, and a
    # literal run is found several times faster than a character class)
    text = bounded_sub(_MULTISPACE if "\xa0" in text else _SPACE_RUN, " ", text)
    if " " in text or "\xa0" in text:
        text = bounded_sub(_SPACE_IN_CJK, _drop_space, text)
    return text.strip()


# Above this many matches a substitution streams its output: `re.sub` keeps every piece until
# the end (~90 bytes a match: 8 million spaces between Chinese characters cost 900 MB).
_SUB_IN_ONE_GO = 10_000


def bounded_sub(pattern: re.Pattern[str], repl, text: str) -> str:
    """``pattern.sub(repl, text)`` in memory bounded by the text, whatever the match count."""
    if len(text) < _SUB_IN_ONE_GO:  # (fewer matches than that, even empty ones)
        return pattern.sub(repl, text)
    matches = pattern.finditer(text)
    first = list(itertools.islice(matches, _SUB_IN_ONE_GO))
    if not first:
        return text
    if isinstance(repl, str) and "\\" in repl:  # a template (`\1`), as ``sub`` expands it
        repl = (lambda template: lambda m: m.expand(template))(repl)
    literal = isinstance(repl, str)
    if len(first) < _SUB_IN_ONE_GO:
        # The text put together from the matches found, not scanned a second time by ``sub``.
        pieces: list[str] = []
        pos = 0
        for m in first:
            start, end = m.span()
            pieces.append(text[pos:start])
            pieces.append(repl if literal else repl(m))
            pos = end
        pieces.append(text[pos:])
        return "".join(pieces)
    return _streamed(itertools.chain(first, matches), (lambda m: repl) if literal else repl, text)


def _streamed(matches, repl, text: str) -> str:
    """The text with each match replaced by ``repl(match)``, written as it goes."""
    out = io.StringIO()
    pos = 0
    for m in matches:
        out.write(text[pos : m.start()])
        out.write(repl(m))
        pos = m.end()
    out.write(text[pos:])
    return out.getvalue()


# The characters of a Chinese numeral in a label: `千` for the Civil Code's `第一千条` on,
# `零`/`〇` for `第一千零一条`, `两` as some drafts write `第两百条`.
CN_NUMERALS = "一二三四五六七八九十百千零〇两"

# An article, chapter, section or part number (`第三十条`, `第十条之一`, `第二章`): a label,
# the same pattern wherever labels are recognised in running text.
LABEL_NUMBER = rf"第[{CN_NUMERALS}\d]+[条章节编](?:之[{CN_NUMERALS}\d]+)?"
_KEEP_SPACE_AFTER = re.compile(LABEL_NUMBER + "$")


# The longest label looked for before a space (`第一千二百六十条之一` is 11 characters). Looking
# back a fixed distance keeps the clean-up linear: searching from the start of the line was
# quadratic on one long line of spaced Chinese (`中 ` × 800,000: 42 s).
_LABEL_WINDOW = 32


def _drop_space(m: re.Match[str]) -> str:
    # The space after an article or chapter number separates the label from its text. The
    # label's pattern holds no line break, so it cannot match across lines.
    start = max(0, m.start() - _LABEL_WINDOW)
    if m.string.find("第", start, m.start()) == -1:  # no label can end here: the common case
        return ""
    return " " if _KEEP_SPACE_AFTER.search(m.string, start, m.start()) else ""


_TERMINAL = "。！？；：:!?;”’」』）)】》…"
_HEADING_START = re.compile(
    rf"^(?:#|第[{CN_NUMERALS}\d]+[章节条编部分]|[{CN_NUMERALS}]+、|（[{CN_NUMERALS}\d]+）|\(\d+\)|\d+[.．、])"
)


def split_paragraphs(text: str) -> list[str]:
    """Split a plain text into paragraphs: one per non-empty line, re-joining lines that a
    converter broke in the middle of a sentence (a long line that ends without punctuation,
    followed after blank lines by a line that does not start a heading)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    # No step of clean_text reaches across a line break, so the text is cleaned at once (one
    # pass of each regex instead of one per line) and then stripped line by line.
    lines = [s for line in clean_text(text).split("\n") if (s := line.strip())]
    paragraphs: list[str] = []
    for line in lines:
        # (both joins need the line before to end in a Chinese character: most lines are
        # looked at no further)
        if paragraphs and "\u4e00" <= (prev := paragraphs[-1])[-1] <= "\u9fff":
            broken = (
                len(prev) >= 30
                and _han(line[0])
                and not _HEADING_START.match(line)
                and not _looks_like_heading(prev)
            )
            if (
                broken or (len(prev) <= _TITLE_LINE_MAX >= len(line) and _broken_title(prev, line))
            ) and not _TITLE_END.search(prev):
                paragraphs[-1] = prev + line
                continue
        paragraphs.append(line)
    return paragraphs


def _han(ch: str) -> bool:
    """A character of the CJK Unified Ideographs block (a regex would cost more to compile)."""
    return "\u4e00" <= ch <= "\u9fff"


_TITLE_END = re.compile(
    r"(通知|通告|公告|报告|计划|规划|纲要|意见|方案|办法|条例|规定|决定|会议上)$"
)
_OPEN_END = re.compile(rf"(关于|的|和|与|及|在|对|为|第[{CN_NUMERALS}\d]+届)$")


# A title broken over two lines has two short lines: either longer is running text.
_TITLE_LINE_MAX = 40


def _broken_title(prev: str, line: str) -> bool:
    """A title a converter broke over two short lines: `…关于` + `印发…的通知`."""
    if (
        len(prev) > _TITLE_LINE_MAX
        or len(line) > _TITLE_LINE_MAX
        or _HEADING_START.match(line)
        or _HEADING_START.match(prev)
    ):
        return False
    if _TERMINAL_END_RE.search(prev) or not _han(prev[-1]):
        return False
    return bool(_OPEN_END.search(prev) or (_TITLE_END.search(line) and not _TITLE_END.search(prev)))


_TERMINAL_END_RE = re.compile(r"[。！？；：:!?;，,）)]$")


def _looks_like_heading(line: str) -> bool:
    return bool(_HEADING_START.match(line)) or (len(line) < 40 and " " in line)


# --- comparison keys ---------------------------------------------------------------------

_PUNCT_FOLD = str.maketrans(
    {
        "，": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?",
        "（": "(", "）": ")", "“": '"', "”": '"', "‘": "'", "’": "'",
        "「": '"', "」": '"', "『": '"', "』": '"', "【": "[", "】": "]",
        "、": ",", "《": "<", "》": ">",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, loaded only when needed

    return opencc.OpenCC("t2s")


def _opencc_tables() -> Path:
    """The folder of opencc's tables, found where opencc itself reads them (beside its code)
    without importing importlib.resources and the zipfile it brings (~8 ms of every diff)."""
    from importlib.util import find_spec

    spec = find_spec("opencc")
    assert spec is not None and spec.submodule_search_locations, "opencc is a dependency"
    return Path(spec.submodule_search_locations[0], "dictionary")


@lru_cache(maxsize=1)
def traditional_characters() -> frozenset[str]:
    """The characters that t2s can change: a key of its character table with another value,
    or a character that differs inside one of its phrases. Text without any of them is
    returned unchanged by opencc, so only the rare paragraph with one pays for the pure-Python
    conversion."""
    folder = _opencc_tables()
    chars: set[str] = set()
    for name in ("TSPhrases.txt", "TSCharacters.txt"):
        table = (folder / name).read_text(encoding="utf-8")
        for line in table.splitlines():
            key, _, values = line.partition("\t")
            value = values.split(" ", 1)[0]
            if key == value:  # (no character changes)
                continue
            if len(key) != len(value):
                chars.update(key)
            elif len(key) == 1:  # most lines: one character and its simplified form
                chars.add(key)
            else:
                chars.update(k for k, v in zip(key, value, strict=True) if k != v)
    return frozenset(chars)


@lru_cache(maxsize=1)
def _traditional_search() -> tuple[Callable[[str], re.Match | None], frozenset[str]]:
    """A search for :func:`traditional_characters` of the Basic Multilingual Plane (a regex
    class is a bitmap scanned in C: three times faster than ``isdisjoint``, which makes a
    string of every character), and the few beyond it, checked as a set."""
    chars = traditional_characters()
    bmp = "".join(sorted(c for c in chars if c <= "\uffff"))
    return re.compile(f"[{re.escape(bmp)}]").search, frozenset(c for c in chars if c > "\uffff")


# Beyond the Basic Multilingual Plane: a range, scanned in C.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _has_traditional(text: str) -> bool:
    """Does ``text`` hold a character that t2s can change
    (``not traditional_characters().isdisjoint(text)``)?"""
    search, astral = _traditional_search()
    if search(text) is not None:
        return True
    return _ASTRAL.search(text) is not None and not astral.isdisjoint(text)


def to_simplified(text: str) -> str:
    if not _has_traditional(text):
        return text
    table, holds_phrase = _per_character()
    if not holds_phrase(text):
        # No phrase of t2s is in the text: opencc converts it character by character (its
        # pure-Python matching cost ~15 us a stretch of a traditional text).
        return text.translate(table)
    # opencc converts each stretch between its separators on its own: convert only the
    # stretches that need it (one `覆` must not send a whole chapter through pure Python).
    converter = _t2s()
    parts = converter.split_chars_re.split(text)
    return "".join(
        _t2s_part(part) if i % 2 == 0 and _has_traditional(part) else part
        for i, part in enumerate(parts)
    )


@lru_cache(maxsize=16384)
def _t2s_part(part: str) -> str:
    table, holds_phrase = _per_character()
    if not holds_phrase(part):  # (see to_simplified)
        return part.translate(table)
    return _t2s().convert(part)


@lru_cache(maxsize=1)
def _per_character() -> tuple[dict[int, str], Callable[[str], bool]]:
    """t2s where no key of more than one character matches: each character of TSCharacters
    as opencc converts it alone (the first of its values; the key's last line, as opencc reads
    the table) but opencc's separators, which it never converts; and whether a text holds a
    key that could match otherwise (TSPhrases', which opencc tries first, and any longer key
    of TSCharacters'). Read only for a text with traditional characters."""
    import opencc

    folder = _opencc_tables()
    tables = []
    for name in ("TSPhrases.txt", "TSCharacters.txt"):
        entries: dict[str, str] = {}
        for line in (folder / name).read_text(encoding="utf-8").split("\n"):
            if line.strip():
                key, value = line.strip().split("\t")
                entries[key] = value.split(" ")[0]
        tables.append(entries)
    phrases, characters = tables
    separator = opencc.OpenCC().split_chars_re.fullmatch  # (no table read: no conversion set)
    table = {
        ord(key): value
        for key, value in characters.items()
        if len(key) == 1 and separator(key) is None
    }
    keys = [*phrases, *(key for key in characters if len(key) > 1)]
    # (a class of the keys' first characters first: most texts hold none, and it compiles
    # in a fraction of the time of the keys' alternation, compiled only if one does)
    starts = re.compile("[" + re.escape("".join(sorted({key[0] for key in keys}))) + "]").search
    whole = compiled_later("|".join(map(re.escape, keys)))

    def holds_phrase(text: str) -> bool:
        return starts(text) is not None and whole().search(text) is not None

    return table, holds_phrase


# The full-width marks of Chinese text (one in every dozen characters), each with its NFKC
# form, one ASCII character. With them replaced most texts pass NFKC's quick check and come
# back as they are; normalising them in full cost a twentieth of a microsecond a character.
_COMMON_WIDE = tuple((mark, unicodedata.normalize("NFKC", mark)) for mark in "，（）；：？！")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on Chinese text: a mark replaced by its
    compatibility decomposition leaves the text's NFKD, hence its NFKC, as it was."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for mark, ascii_mark in _COMMON_WIDE:
        if mark in text:
            text = text.replace(mark, ascii_mark)
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case, width and script folded, spaces kept: the form in which words are compared."""
    return to_simplified(nfkc(text).lower())


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """A key under which texts that a reader would call the same compare equal."""
    text = nfkc(text).translate(_PUNCT_FOLD)
    text = _NON_WORD.sub("", text).lower()
    return to_simplified(text)


# --- strict and minor keys (what `unchanged` and `minor` mean) ----------------------------

# Characters whose compatibility decomposition is only a width change (`<wide>` full-width
# forms, `<narrow>` half-width katakana and symbols, the ideographic space): the only folding
# allowed before two texts are called the same. NFKC as a whole would also turn `⒉` into
# `2.`, which is a change of numbering glyph (minor, not none).
_WIDTH_RANGES = (range(0x3000, 0x3001), range(0xFF00, 0xFFF0), range(0x20A9, 0x20AA))


@lru_cache(maxsize=1)
def _width_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for block in _WIDTH_RANGES:
        for code in block:
            tag, _, rest = unicodedata.decomposition(chr(code)).partition(" ")
            if tag in ("<wide>", "<narrow>") and rest:
                table[code] = "".join(chr(int(h, 16)) for h in rest.split())
    return table


@lru_cache(maxsize=1)
def _width_folding() -> tuple[tuple[tuple[str, str], ...], re.Pattern[str]]:
    """:func:`_width_table` as the full-width marks of Chinese text with their folded forms
    (replaced by ``str.replace``, a scan in C, where ``str.translate`` looks up every
    character of the text in a dict), and a search for the table's other characters."""
    table = _width_table()
    common = tuple((mark, table[ord(mark)]) for mark in "，（）；：？！" if ord(mark) in table)
    return common, re.compile("[" + re.escape("".join(map(chr, sorted(table)))) + "]")


@lru_cache(maxsize=65536)
def strict_key(text: str) -> str:
    """The key under which two texts are `unchanged`: only white space and character width
    are folded (`总 则` = `总则`, `２０２５` = `2025`); punctuation, letter case, script and
    numbering glyphs still count."""
    common, others = _width_folding()
    for mark, folded in common:
        if mark in text:
            text = text.replace(mark, folded)
    if others.search(text) is not None:
        text = text.translate(_width_table())
    # (``str.split`` cuts at what ``\s`` matches: the characters of ``str.isspace``)
    return "".join(text.split())


# Latin to Supplemental Punctuation, CJK symbols and punctuation, vertical and small forms,
# full-width forms (NFKC has already folded most of the latter three).
_PUNCTUATION_BLOCKS = (
    range(0, 0x2E80),
    range(0x3000, 0x3040),
    range(0xFE10, 0xFE70),
    range(0xFF00, 0xFF66),
)


@lru_cache(maxsize=1)
def _punctuation() -> re.Pattern[str]:
    """Every punctuation mark (Unicode category P*) of the blocks that hold them in
    Chinese and Western text, except where it stands between two digits (`1.5` is not `15`)."""
    marks = "".join(
        chr(c)
        for block in _PUNCTUATION_BLOCKS
        for c in block
        if unicodedata.category(chr(c)).startswith("P")
    )
    cls = "[" + re.escape(marks) + "]"
    # `(?<!\d){cls}|{cls}(?!\d)`, written to start with the mark (the regex engine then
    # skips to the next one in C): a mark not preceded, or not followed, by a digit.
    return re.compile(rf"{cls}(?:(?<!\d[\s\S])|(?!\d))")


@lru_cache(maxsize=65536)
def minor_key(text: str) -> str:
    """The key under which a change is `minor`: punctuation, letter case, traditional or
    simplified script and compatibility glyphs (`⒉` → `2.`) folded as well."""
    text = "".join(nfkc(text).lower().split())  # (as _NON_WORD.sub("", …): see strict_key)
    return to_simplified(_punctuation().sub("", text))
