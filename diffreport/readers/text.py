"""Plain text and Markdown: decoding bytes of unknown encoding, then paragraphs."""

from __future__ import annotations

import re

from ..errors import InputError
from ..model import Paragraph
from ..normalise import clean_text, compiled_later, split_paragraphs
from .lines import setext_level

TEXT_FORMATS = "convert it to .txt, .md, .docx or .html"


def _binary(name: str) -> InputError:
    return InputError(name, "looks like a binary file, not text", TEXT_FORMATS)


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode bytes whose encoding is unknown: BOMs first, then UTF-8 (also cut short, or
    mixed line by line with GB18030), UTF-16 without a BOM, GB18030, then detection.

    Only NULs and byte sequences no encoding explains make a file "binary": valid UTF-8 is
    text whatever code points it holds (private-use ones are left by many converters)."""
    if not data.strip():
        raise InputError(
            name, "is empty" if not data else "is empty (only white space)", "give the document"
        )
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                raise InputError(
                    name,
                    f"starts with a {enc.replace('-sig', '')} byte-order mark but is not valid {enc.replace('-sig', '')}",
                    "re-save it as UTF-8",
                ) from None
    try:
        return _checked(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if utf8_error.reason == "unexpected end of data" and utf8_error.end == len(data):
        # Valid UTF-8 cut inside its last character (a truncated download or copy).
        try:
            return _checked(data[: utf8_error.start].decode("utf-8"), name), "utf-8"
        except UnicodeDecodeError:
            pass
    if (found := _utf16_without_bom(data)) is not None:
        return found
    # NULs mean binary (UTF-16 was tried); a stray one in a long text is tolerated.
    if data[:4096].count(0) > 8:
        raise _binary(name)
    if (mixed := _utf8_and_gb18030(data)) is not None:
        return _checked(mixed, name), "utf-8+gb18030"
    # GB18030 is a superset of GBK and GB2312 and is what older Chinese systems write.
    first_error = ("UTF-8", utf8_error)
    try:
        text = data.decode("gb18030")
        if _plausible(text):
            return text, "gb18030"
    except UnicodeDecodeError as exc:
        if exc.start > utf8_error.start:
            first_error = ("GB18030", exc)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _plausible(str(best)):
        return str(best), best.encoding
    if _plausible(data.decode("utf-8", "replace"), private_use_is_noise=False):
        # Text with bytes no encoding explains: say where the likelier encoding broke off.
        encoding, error = first_error
        bad = data[error.start : error.start + 1].hex()
        raise InputError(
            name,
            f"is text but not valid {encoding} (byte 0x{bad} at offset {error.start:,})"
            " nor in another encoding recognised (UTF-8, GB18030, UTF-16, ...)",
            "re-save it as UTF-8",
        )
    raise _binary(name)


def _checked(text: str, name: str) -> str:
    """Valid UTF-8 is refused only for what binary content leaves: NULs and other controls."""
    if _plausible(text, private_use_is_noise=False):
        return text
    raise _binary(name)


# Characters of text in UTF-16 without a BOM: ASCII, CJK, their punctuation and full-width
# forms. Other encodings read as UTF-16 give Hangul, Yi, private-use code points or surrogates.
_utf16_text = compiled_later(
    r"[\t\n\r\x20-\x7e\u00a0-\u024f\u0370-\u04ff\u2000-\u206f\u2e80-\u2fdf\u3000-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    r"\U0001f000-\U0001faff\U00020000-\U0003134f]"
)
MIN_UTF16_TEXT_SHARE = 0.95  # of a sample's characters; text in another encoding scores < 0.5


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: the byte order in which a sample reads as text, if one does."""
    if len(data) % 2:
        return None
    sample = data[:8192]
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc, "strict" if len(data) <= len(sample) else "ignore")
        except UnicodeDecodeError:
            continue
        # A line break read as such proves the byte order: it is the NUL next to 0x0a. Bytes
        # of a Latin text paired up also read as CJK, but never as a line break.
        if "\n" not in text:
            continue
        if len(_utf16_text().findall(text)) / len(text) >= MIN_UTF16_TEXT_SHARE:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                return None
    return None


# A line of UTF-8 needs this many non-ASCII characters to show that the file is partly UTF-8:
# a short line of GBK can be valid UTF-8 by chance, four characters of it hardly ever are.
MIN_UTF8_EVIDENCE = 4


def _evidence(text: str) -> bool:
    return sum(not c.isascii() for c in text) >= MIN_UTF8_EVIDENCE


def _utf8_and_gb18030(data: bytes) -> str | None:
    """A file put together from UTF-8 and GBK parts (two sources pasted into one): each line
    in the encoding in which it is valid, UTF-8 first. None unless both are really present."""
    lines = data.splitlines(keepends=True)
    out: list[str] = []
    utf8_seen = False
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8_seen = utf8_seen or _evidence(text)
        except UnicodeDecodeError as exc:
            # The line where the parts meet: its valid UTF-8 start, if it proves itself.
            head = line[: exc.start].decode("utf-8")
            if not _evidence(head):
                head, exc.start = "", 0
            try:
                text = head + line[exc.start :].decode("gb18030")
            except UnicodeDecodeError:
                return None
        out.append(text)
    if not utf8_seen:
        return None
    text = "".join(out)
    return text if _plausible(text) else None


# Control characters other than line breaks and tabs, and the private-use area.
_noise = compiled_later(r"[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _plausible(text: str, private_use_is_noise: bool = True) -> bool:
    """Text, not noise: few control characters (and, for a guessed encoding, few private-use
    code points, where a wrong guess lands)."""
    if not text:
        return False
    bad = len((_noise() if private_use_is_noise else _CONTROLS).findall(text))
    return bad <= 2 or bad / len(text) < 0.02


_MD_HEADING = re.compile(r"(#{1,6})\s+(.*)")


def _strip_comments(text: str) -> str:
    """Drop `<!-- … -->` in one pass (a regex rescans for `-->` from every unclosed `<!--`)."""
    out: list[str] = []
    pos = 0
    while (start := text.find("<!--", pos)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


def _md_heading(line: str) -> tuple[int, str] | None:
    m = _MD_HEADING.fullmatch(line)
    if not m:
        return None
    title = m.group(2).rstrip()
    # A closing run of `#` is dropped when a space precedes it (CommonMark); done without a
    # regex because `\s*#*\s*$` backtracks quadratically on a long run of `#`.
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1].isspace()):
        title = bare.rstrip()
    return len(m.group(1)), title


# A title line directly over its underline (no blank line between: after one, `---` is a rule).
_SETEXT = re.compile(r"^(.+)\n[ \t]*(={3,}|-{3,})[ \t]*$", re.MULTILINE)


def _atx(m: re.Match) -> str:
    """`Title` over `=====` (or `-----`) as `# Title` (`## Title`); other lines as they are."""
    level = setext_level(m[2], m[1].strip())
    return m[0] if level is None else f"{'#' * level} {m[1].strip()}"


# The same with the underline joined to its title by a tool that unwrapped the lines
# (`1. Definitions --------------`): a rule of at least half the title's length ends the line.
_JOINED_SETEXT = re.compile(r"^([^\n]*?\S)[ \t]+(={3,}|-{3,})[ \t]*$", re.MULTILINE)
JOINED_RULE_SHARE = 0.5  # a shorter run of `-` ends a sentence (`wait for it ---`), not a title


def _joined_atx(m: re.Match) -> str:
    title = m[1].strip()
    if len(m[2]) < JOINED_RULE_SHARE * len(title):
        return m[0]
    return _atx(m)


# LawRefBook closes a law's title and enactment history with this comment.
_FRONT_END = re.compile(r"<!--\s*INFO END\s*-->")


def read_plain_text(text: str, markdown: bool = False) -> list[Paragraph]:
    front_end = _FRONT_END.search(text) if markdown else None
    if front_end is not None:
        # Only the first marker closes the document's front matter. A file that joins
        # several such texts holds one marker each; the later ones close the front matter of
        # a part, which is body here (else all text up to the last one would be front).
        before = _paragraphs(text[: front_end.start()], markdown=True)
        after = _paragraphs(text[front_end.end() :], markdown=True)
        return [Paragraph(p.text, p.heading_level, p.numbering, front=True) for p in before] + after
    return _paragraphs(text, markdown)


def _paragraphs(text: str, markdown: bool) -> list[Paragraph]:
    if markdown:
        text = _strip_comments(text)
    text = _sub_at(_SETEXT, _atx, text, _rule_line_starts(text, before=True))
    text = _sub_at(_JOINED_SETEXT, _joined_atx, text, _rule_line_starts(text, before=False))
    paragraphs = []
    for raw in split_paragraphs(text):  # (each a line with text)
        # (a heading starts with `#`: most lines are not tried)
        h = _md_heading(raw) if raw[0] == "#" else None
        if h and (markdown or len(h[1]) < 80):
            title = clean_text(h[1])
            if title and not is_rule(title):
                paragraphs.append(Paragraph(title, heading_level=h[0]))
        elif not is_rule(raw):
            paragraphs.append(Paragraph(raw))
    return paragraphs


# Three underline characters: every line the setext patterns match holds one or the other.
_RULE_RUNS = ("===", "---")


def _rule_line_starts(text: str, before: bool) -> list[int]:
    """Where the lines that hold `===` or `---` start (``before``: the lines just before
    them), in order, each once: the only places a setext pattern can match. Found by
    ``str.find`` (a regex for the runs scans the text several times slower)."""
    starts: set[int] = set()
    for run in _RULE_RUNS:
        pos = text.find(run)
        while pos != -1:
            start = text.rfind("\n", 0, pos) + 1
            if not before:
                starts.add(start)
            elif start:  # (the first line has no line before it)
                starts.add(text.rfind("\n", 0, start - 1) + 1)
            end = text.find("\n", pos)
            pos = -1 if end == -1 else text.find(run, end)
    return sorted(starts)


def _sub_at(pattern: re.Pattern[str], repl, text: str, starts: list[int]) -> str:
    """``pattern.sub(repl, text)`` for a pattern that can match only at ``starts``: tried
    there alone, not at every character of the text (the regex engine cannot skip ahead to
    a pattern that opens with `^`)."""
    pieces: list[str] = []
    pos = 0
    for start in starts:
        if start < pos:  # inside the match before
            continue
        m = pattern.match(text, start)
        if m is not None:
            pieces.append(text[pos:start])
            pieces.append(repl(m))
            pos = m.end()
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


# A line of rule characters only (`---------------`, `* * *`): a thematic break, no text.
_RULE = re.compile(r"(?:[-=*_~][ \t]*){3,}")
_RULE_FIRST = frozenset("-=*_~")


def is_rule(text: str) -> bool:
    return text[:1] in _RULE_FIRST and _RULE.fullmatch(text) is not None


_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")


def paragraph_text(text: str) -> str:
    """One paragraph of HTML or Word: a line break in the source text is white space there
    (as a browser or Word shows it), not a paragraph break."""
    return clean_text(_LINE_BREAKS.sub(" ", text))
