"""Lines back into paragraphs: the layout step shared by the PDF reader and hard-wrapped text.

A PDF, `pdftotext` output and a licence wrapped at 72 columns all hand over *lines*. This module
drops what repeats on every page (running headers and footers, page numbers), then joins lines
into paragraphs: Chinese lines without a space, English ones with one, a hyphen at a line end
removed only when the joined word is a word. A paragraph ends where a typesetter would have
ended it: a vertical gap (a blank line), a change of type size or weight, a first-line indent,
a last line too short to be full (the next line's first word would have fitted on it), or a
numbering marker (`一、`, `（一）`, `1.`, `第一条`, `a)`) at the start of the next line after a
finished sentence.

Geometry is in any unit: PDF points for a PDF (a line's `size` is its font size), display
columns for plain text (a wide character is two columns, `size` is 2: one wide character).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Paragraph
from ..normalise import CN_NUMERALS, bounded_sub, clean_text, compiled_later

# --- thresholds ---------------------------------------------------------------------------
RUNNING_SHARE = 0.4  # a line at a page's edge recurring on this share of pages is a header/footer
EDGE_LINES = 2  # how many lines at the top and at the bottom of a page may be header or footer
GAP_PITCHES = 1.6  # a vertical gap this many line pitches high ends a paragraph
INDENT_EMS = 0.8  # a line starting this many ems right of the text's left edge is indented
SHORT_SLACK_EMS = 0.6  # a line ending this far before where the next word would fit is short
TEXT_SLACK_EMS = 1.0  # … in plain text, whose widths are counted in characters, not measured
OPEN_FULL_EMS = 3.0  # a line ending mid-sentence this close to full (in ems, or as a share
OPEN_FULL_SHARE = 0.25  # of the measure, whichever is more) is wrapped, not a paragraph's end
JUSTIFIED_SHARE = 0.25
MARGIN_SHARE = 0.4  # an edge this common relative to the most common one can be the margin
LOST_INDENT_SHARE = 0.05  # fewer indented lines than this: extraction dropped the indents  # this share of full lines ending at one place: the text is justified
CENTRED_INDENT = 8  # columns: a plain-text line indented this much, with its middle within
CENTRED_OFFSET = 6  # this many columns of the text's middle (centred by hand), is centred
WRAP_MIN_LINES = 6  # fewer non-blank lines than this are never taken as hard-wrapped
WRAP_MAX_WIDTH = 160  # columns: a text whose lines are wider is not hard-wrapped
WRAP_FULL_SHARE = 0.45  # share of lines that reach near the wrap width in a wrapped text
WRAP_OPEN_SHARE = 0.4  # share of those full lines that break mid-sentence in a wrapped text

_TERMINAL = "。！？；：.!?;:”’」』）)】》…"
_CLOSING = set("。！？；：.!?;:”’」』）)】》…\"'")
_sentence_end = compiled_later(r"[。！？；.!?;:：]['\"”’」』）)】]*$")
# A numbering marker that opens a paragraph, at the start of a line.
numbering_marker = compiled_later(
    rf"^(?:第[{CN_NUMERALS}\d]+[条章节编]"
    rf"|[{CN_NUMERALS}]+、"
    rf"|[（(][{CN_NUMERALS}\d]{{1,3}}[）)]"
    r"|\d{1,3}(?:\.\d{1,3})*[.．、](?!\d)"
    r"|\(?[a-zA-Z][.)](?=\s)"
    r"|[-*•·●▪◦]\s"
    r"|(?:Section|SECTION|Article|ARTICLE)\s+\d)"
)
# Page numbers as offices, Word and LaTeX print them.
_page_number = compiled_later(
    r"^[\s\-—–－~·]*(?:"
    r"(?:第\s*)?\d{1,5}\s*页?(?:\s*[/／,，]?\s*(?:共\s*)?\d{1,5}\s*页?)?"
    r"|(?:page|p\.|pg\.?)\s*\d{1,5}(?:\s*(?:of|/)\s*\d{1,5})?"
    r"|[ivxlcdm]{1,7}"
    r")[\s\-—–－~·]*$",
    re.I,
)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


@dataclass(slots=True)
class Line:
    text: str
    x0: float  # left edge
    x1: float  # right edge
    top: float = 0.0  # from the page's top (PDF points; a text line's number)
    size: float = 2.0  # font size; for plain text 2 columns (one wide character)
    bold: bool = False
    page: int = 0
    gap_before: bool = False  # a blank line precedes it (plain text)
    cells: tuple[str, ...] = field(default_factory=tuple)  # a table row's cells (PDF)


def is_page_number(text: str) -> bool:
    return bool(_page_number().match(text)) and any(ch.isalnum() for ch in text)


def _running_key(line: Line) -> str:
    return _DIGITS.sub("#", _SPACES.sub("", line.text)) + f"@{round(line.size)}"


def drop_running(pages: list[list[Line]]) -> tuple[list[list[Line]], list[str]]:
    """Remove running headers, footers and page numbers: lines among the first or last
    :data:`EDGE_LINES` of a page that are a page number, or whose text (digits aside) recurs at
    the same edge of at least :data:`RUNNING_SHARE` of the pages. Returns the pages and what
    was dropped, as `p.N: text`."""
    counts: dict[str, Counter[str]] = {"top": Counter(), "bottom": Counter()}
    for lines in pages:
        counts["top"].update({_running_key(x) for x in lines[:EDGE_LINES]})
        counts["bottom"].update({_running_key(x) for x in lines[-EDGE_LINES:]})
    need = max(2.0, RUNNING_SHARE * len(pages))
    dropped: list[str] = []
    out: list[list[Line]] = []
    for number, lines in enumerate(pages, 1):
        drop: set[int] = set()
        for edge, order in (("top", range(len(lines))), ("bottom", range(len(lines) - 1, -1, -1))):
            used: set[str] = set()
            for seen, i in enumerate(order):
                if seen >= EDGE_LINES or i in drop:
                    break
                key = _running_key(lines[i])
                if is_page_number(lines[i].text) or (counts[edge][key] >= need and key not in used):
                    drop.add(i)
                    used.add(key)
                else:
                    break  # only the outermost lines: a header is above all the text
        dropped.extend(f"p.{number}: {lines[i].text}" for i in sorted(drop))
        out.append([x for i, x in enumerate(lines) if i not in drop])
    if not any(out):
        # Every line "recurs": identical pages, whose text is the content, not a header.
        return pages, []
    return out, dropped


# --- joining ---------------------------------------------------------------------------------


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF" or "\u2018" <= ch <= "\u201f"


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def display_width(text: str) -> int:
    return sum(2 if _wide(ch) else 1 for ch in text)


_space_by_wide = compiled_later(
    r"(?<=[\u2e80-\uffff\u2018-\u201f]) +| +(?=[\u2e80-\uffff\u2018-\u201f])"
)


def measured_width(text: str) -> float:
    """The width of a line of extracted text in columns, as it was set: spaces that extraction
    put beside Chinese characters take no room, curly quotes take half of a Chinese one."""
    if not text.isascii():
        text = bounded_sub(_space_by_wide(), "", text)
    return sum(1.5 if "\u2018" <= ch <= "\u201f" else 2 if _wide(ch) else 1 for ch in text)


@lru_cache(maxsize=1)
def _english_words():
    from spellchecker import SpellChecker  # pyspellchecker: an English word-frequency list

    return SpellChecker(language="en", distance=1)


_WORD_END = re.compile(r"([A-Za-z]+)-$")
_WORD_START = re.compile(r"^([a-z]+)")


class Joiner:
    """Joins a line to the text before it. A hyphen at a line end is kept unless the word
    without it is a word: one the document uses elsewhere, or (with `dictionary`, for typeset
    text, which may be hyphenated) an English dictionary word when the document uses neither
    form. Text wrapped by a tool (`fmt`, `textwrap`) breaks only at hyphens that are there."""

    def __init__(self, vocabulary: set[str], dictionary: bool = True) -> None:
        self.vocabulary = vocabulary
        self.dictionary = dictionary

    def join(self, before: str, after: str) -> str:
        if not before:
            return after
        if not after:
            return before
        a, b = before[-1], after[0]
        if a == "-" and (m := _WORD_END.search(before)) and (n := _WORD_START.match(after)):
            whole = (m.group(1) + n.group(1)).lower()
            hyphened = f"{m.group(1)}-{n.group(1)}".lower()
            if whole in self.vocabulary or (
                self.dictionary and hyphened not in self.vocabulary and whole in _english_words()
            ):
                return before[:-1] + after
            return before + after
        if _wide(a) or _wide(b) or a.isspace() or b.isspace() or a in "-/‐–—":
            return before + after
        return before + " " + after


_VOCABULARY = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def vocabulary(lines: list[Line]) -> set[str]:
    words: set[str] = set()
    for line in lines:
        for w in _VOCABULARY.findall(line.text):
            words.add(w.lower())
    return words


@dataclass(slots=True)
class Metrics:
    """The body text's measure: its font size, left and right edges, line pitch."""

    size: float
    left: float
    right: float
    pitch: float
    slack: float = SHORT_SLACK_EMS

    @classmethod
    def of(cls, lines: list[Line]) -> Metrics:
        sizes: Counter[float] = Counter()
        for x in lines:
            sizes[round(x.size * 2) / 2] += len(x.text)
        size = sizes.most_common(1)[0][0] if sizes else 2.0
        body = [x for x in lines if abs(x.size - size) <= 0.6 and not x.cells] or lines
        left = Counter(round(x.x0) for x in body).most_common(1)[0][0]
        rights = sorted(x.x1 for x in body)
        right = rights[int(0.9 * (len(rights) - 1))] if rights else 0.0
        # Justified text: most full lines end at the right margin; the margin is where.
        full = Counter(round(x) for x in rights if x >= 0.75 * right)
        if full:
            count = full.most_common(1)[0][1]
            if count >= JUSTIFIED_SHARE * sum(full.values()):
                # The rightmost common edge: where a text of short articles has more first
                # lines (indented, so shorter) than full ones, theirs is the most common edge.
                right = float(max(e for e, c in full.items() if c >= MARGIN_SHARE * count))
        steps = sorted(
            b.top - a.top
            for a, b in zip(body, body[1:], strict=False)
            if a.page == b.page and b.top > a.top
        )
        pitch = steps[len(steps) // 2] if steps else 1.0
        return cls(size, float(left), right, pitch)


def _first_word_width(line: Line, em: float) -> float:
    text = line.text.lstrip()
    if not text:
        return 0.0
    if _wide(text[0]):
        return em
    word = _latin_word().match(text)
    return display_width(word.group() if word else text[0]) * em / 2


_latin_word = compiled_later(r"[^\s\u2e80-\U0002ffff\u2018-\u201f]+")


def breaks_before(
    prev: Line, line: Line, m: Metrics, lost_indent: bool = False, prev_first: bool = False
) -> bool:
    """Does `line` start a new paragraph after `prev` (both running text)? `prev_first`: prev
    opens its paragraph (with `lost_indent`, it is short by the indent that was dropped)."""
    em = m.size
    if line.gap_before:
        return True
    if line.page == prev.page and line.top - prev.top > GAP_PITCHES * m.pitch:
        return True
    if abs(line.size - prev.size) > 0.6 or line.bold != prev.bold:
        return True
    if line.x0 > m.left + INDENT_EMS * em and line.x0 > prev.x0 + INDENT_EMS * em:
        return True
    sep = 0.0 if _wide(prev.text[-1]) or _wide(line.text.lstrip()[:1] or "a") else em / 2
    indent = INDENT_EMS * em * 2.5 if lost_indent and prev_first else 0.0
    fits = prev.x1 + indent + sep + _first_word_width(line, em) <= m.right - m.slack * em
    # Running text ends a paragraph with punctuation: a nearly full line that ends mid-sentence
    # (an ideograph, a word, a comma) is wrapped, whatever the estimate of its width says
    # (counted characters are not measured widths: `R&D`, proportional English).
    open_end = prev.text[-1] not in _CLOSING
    nearly_full = prev.x1 + indent > m.right - max(
        OPEN_FULL_EMS * em, OPEN_FULL_SHARE * (m.right - m.left)
    )
    if fits and not (open_end and nearly_full):
        return True
    finished = bool(_sentence_end().search(prev.text))
    if finished and numbering_marker().match(line.text.lstrip()):
        return True
    if lost_indent and finished and _wide(line.text[0]):
        # Text from a PDF whose first-line indents were dropped (pdftotext): a paragraph's
        # first line is full but for the indent, two characters short of the measure.
        short = m.right - line.x1
        return 1.5 * em <= short <= 2.5 * em
    return False


def join_paragraphs(
    lines: list[Line], m: Metrics, lost_indent: bool = False, typeset: bool = True
) -> list[str]:
    """Running-text lines → paragraph texts (table rows stay one paragraph each). `typeset`:
    the lines come from a PDF, whose words may be hyphenated at line ends."""
    joiner = Joiner(vocabulary(lines), dictionary=typeset)
    out: list[str] = []
    prev: Line | None = None
    prev_first = False
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if line.cells:
            out.append(" | ".join(line.cells))
            prev = None
            continue
        first = prev is None or breaks_before(prev, line, m, lost_indent, prev_first)
        if first:
            out.append(text)
        else:
            out[-1] = joiner.join(out[-1], text)
        prev, prev_first = line, first
    return out


# --- hard-wrapped plain text ------------------------------------------------------------------


def _text_lines(page_text: str, page: int) -> list[Line]:
    lines: list[Line] = []
    blank = False
    for number, raw in enumerate(page_text.split("\n")):
        stripped = raw.rstrip().expandtabs(8)
        if not stripped.strip():
            blank = True
            continue
        body = stripped.lstrip()
        x0 = display_width(stripped[: len(stripped) - len(body)])
        lines.append(
            Line(body, x0, x0 + measured_width(body), number, 2.0, page=page, gap_before=blank)
        )
        blank = False
    return lines


def _may_be_wrapped(text: str) -> bool:
    """A cheap first look on character counts (no widths measured): most texts are one
    paragraph per line, with lengths all over the place, and are let through at once."""
    if text.count("\n") < WRAP_MIN_LINES - 1:  # no copy of a long one-line text is made
        return False
    lines = [line.rstrip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if len(lines) < WRAP_MIN_LINES:
        return False
    lengths = sorted(map(len, lines))
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    # A wide character is two columns: a line of WRAP_MAX_WIDTH columns has at least half
    # as many characters, and lines near the width in columns are near it in characters
    # within a factor of two as well.
    if p90 / 2 > WRAP_MAX_WIDTH:
        return False
    long = [line for line in lines if len(line) >= 0.5 * p90]
    if len(long) < WRAP_FULL_SHARE * len(lines):
        return False
    return sum(1 for line in long if line[-1] not in _TERMINAL) >= WRAP_OPEN_SHARE * len(long)


def is_hard_wrapped(lines: list[Line]) -> bool:
    """Most lines reach near one width and break mid-sentence: a text wrapped at a fixed
    width (a licence, an RFC, `pdftotext` output), not one paragraph per line."""
    if len(lines) < WRAP_MIN_LINES:
        return False
    widths = sorted(x.x1 for x in lines)
    width = widths[int(0.9 * (len(widths) - 1))]
    # (a few wider lines are allowed: a heading or running title set in smaller type)
    if width > WRAP_MAX_WIDTH or widths[int(0.97 * (len(widths) - 1))] > 1.25 * width + 4:
        return False
    full = [x for x in lines if x.x1 >= 0.75 * width]
    if len(full) < WRAP_FULL_SHARE * len(lines):
        return False
    open_ended = sum(1 for x in full if x.text[-1] not in _TERMINAL)
    return open_ended >= WRAP_OPEN_SHARE * len(full)


_MD_HEADING = re.compile(r"#{1,6}\s")
# A setext underline (`=====` under a title: level 1; `-----`: level 2), in Markdown and in
# plain-text licences and READMEs alike.
_UNDERLINE = re.compile(r"(={3,}|-{3,})[ \t]*")
# A line longer than this, or one ending a sentence, is a paragraph a rule follows, not a title.
SETEXT_TITLE_MAX = 100
_SENTENCE_STOP = re.compile(r"[。；;！!？?，,]$")


def setext_level(underline: str, title: str) -> int | None:
    """The heading level ``underline`` gives the line ``title`` above it, else None."""
    if not _UNDERLINE.fullmatch(underline) or not title or len(title) > SETEXT_TITLE_MAX:
        return None
    if _SENTENCE_STOP.search(title) or _UNDERLINE.fullmatch(title):
        return None
    return 1 if underline[0] == "=" else 2


def read_wrapped(text: str, markdown: bool = False) -> tuple[list[Paragraph], list[str]] | None:
    """Paragraphs of a hard-wrapped text, and the header/footer lines dropped from it; None when
    the text is not hard-wrapped (then it is read one paragraph per line, as before)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _may_be_wrapped(text):
        return None
    pages = [_text_lines(page, i) for i, page in enumerate(text.split("\f"))]
    dropped: list[str] = []
    if len(pages) > 1:
        pages, dropped = drop_running(pages)
        for page in pages[1:]:
            if page:  # the blank line after a dropped header is no paragraph break
                page[0].gap_before = False
    if not is_hard_wrapped([x for page in pages for x in page]):
        return None
    lines = [x for page in pages for x in page]
    m = Metrics.of(lines)
    m.pitch = float("inf")  # blank lines, not line numbers, mark gaps in plain text
    m.slack = TEXT_SLACK_EMS
    out: list[Paragraph] = []
    run: list[Line] = []
    # Lines that stand alone: Markdown headings (and anything the paragraph rules would not
    # separate but a person reading the file would).
    cjk = sum(1 for x in lines if _wide(x.text[0])) > len(lines) / 2
    lost_indent = cjk and sum(x.x0 > m.left for x in lines) < LOST_INDENT_SHARE * len(lines)

    def flush() -> None:
        out.extend(Paragraph(clean_text(t)) for t in join_paragraphs(run, m, lost_indent, False))
        run.clear()

    middle = (m.left + m.right) / 2
    for x in lines:
        level = setext_level(x.text, run[-1].text) if run and not x.gap_before else None
        if level is not None:
            title = run.pop()
            flush()
            out.append(Paragraph(clean_text(title.text), heading_level=level))
            continue
        if markdown and _MD_HEADING.match(x.text):
            flush()
            level = len(x.text) - len(x.text.lstrip("#"))
            out.append(Paragraph(clean_text(x.text[level:].strip()), heading_level=level))
            continue
        if (
            x.x0 >= m.left + CENTRED_INDENT
            and abs((x.x0 + x.x1) / 2 - middle) <= CENTRED_OFFSET
            and not _sentence_end().search(x.text)
        ):
            # A centred line (`GNU GENERAL PUBLIC LICENSE`, `Preamble`) is a heading, as in the
            # PDF reader: the first one the document's title, the others its sections.
            flush()
            level = 2 if any(p.heading_level == 1 for p in out) else 1
            out.append(Paragraph(clean_text(x.text), heading_level=level))
            continue
        run.append(x)
    flush()
    return [p for p in out if p.text], dropped
