"""HTML: block elements as paragraphs, headings with their level; scripts and styles dropped.

Parsed by libxml2's HTML parser (through lxml) as a stream of events, without building a tree:
it is linear on any markup (`<a ` or `<!` repeated), entities are HTML's own (a DTD in the
page declares none and reads no file), and memory holds one paragraph at a time.
"""

from __future__ import annotations

from ..errors import InputError
from ..model import Paragraph
from ..normalise import split_paragraphs
from ..parse import check_units, max_units
from .text import paragraph_text

# Elements whose start and end separate paragraphs (as a browser lays them out).
_BLOCKS = frozenset(
    """h1 h2 h3 h4 h5 h6 p li td th pre blockquote dt dd div ul ol dl table tr thead tbody
    tfoot caption section article header footer main nav aside figure figcaption address hr
    form fieldset legend details summary center body html""".split()
)
# Loose text directly in these is read like plain text: one paragraph per line.
_PAGE = frozenset({"body", "html"})
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}

# A page holding a whole code of law has some 10,000 elements; this many mean a generated page
# of nothing but markup (a paragraph costs ~10 µs: the count stops the parse within seconds).
MAX_HTML_ELEMENTS = 500_000
_CHUNK = 1 << 16

_RESAVE = "save the page again from a browser, or convert it to .txt"


class _TooManyElements(Exception):
    pass


class _Paragraphs:
    """lxml parser target: collects the text of each block as the parser reports it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.limit = max_units()
        self.paragraphs: list[Paragraph] = []
        self.parts: list[str] = []
        # Open blocks: (tag, heading level that text directly inside them gets).
        self.blocks: list[tuple[str, int | None]] = [("html", None)]
        self.skipping = 0  # depth inside a script, style, ...
        self.elements = 0

    def _flush(self) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        self.parts.clear()
        tag, level = self.blocks[-1]
        if tag in _PAGE:
            self.paragraphs.extend(Paragraph(p) for p in split_paragraphs(raw))
        elif content := paragraph_text(raw):
            self.paragraphs.append(Paragraph(content, heading_level=level))
        if len(self.paragraphs) > self.limit:
            check_units(self.name, len(self.paragraphs), "paragraphs", self.limit, False)

    def start(self, tag: str, attrib) -> None:
        self.elements += 1
        if self.elements > MAX_HTML_ELEMENTS:
            raise _TooManyElements
        if self.skipping or tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self._flush()
            self.blocks.append((tag, _HEADINGS.get(tag, self.blocks[-1][1])))
        elif tag == "br":
            # A space inside a block (paragraph_text), a line break in loose text (as before).
            self.parts.append("\n")

    def end(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        elif tag in _BLOCKS and len(self.blocks) > 1:
            self._flush()
            self.blocks.pop()

    def data(self, text: str) -> None:
        if not self.skipping:
            self.parts.append(text)

    def close(self) -> list[Paragraph]:
        self._flush()
        return self.paragraphs


def read_html_text(text: str, name: str = "<input>") -> list[Paragraph]:
    from lxml import etree

    target = _Paragraphs(name)
    parser = etree.HTMLParser(
        target=target,
        encoding="utf-8",  # the text is decoded already; a <meta charset> must not re-decode it
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,  # no tree is built; this lifts libxml2's limits on text node sizes
    )
    # Lone surrogates (from a broken UTF-16 file) are dropped as the normaliser drops them.
    data = text.encode("utf-8", "ignore")
    try:
        for at in range(0, len(data), _CHUNK):
            parser.feed(data[at : at + _CHUNK])
        paragraphs = parser.close()
    except _TooManyElements:
        raise InputError(
            name, f"has more than {MAX_HTML_ELEMENTS:,} HTML elements, over the limit", _RESAVE
        ) from None
    except etree.XMLSyntaxError:
        # Raised only when nothing could be parsed (markup without text): "has no text" follows.
        return target.paragraphs
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # libxml2 stops at its limits and keeps what it read: refused, so nothing is lost unseen.
        raise InputError(name, "is beyond the HTML parser's limits (libxml2)", _RESAVE)
    return paragraphs
