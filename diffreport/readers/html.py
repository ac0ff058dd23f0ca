"""HTML: block elements as paragraphs, headings with their level; scripts and styles dropped."""

from __future__ import annotations

import re

from ..model import Paragraph
from ..normalise import split_paragraphs
from .text import paragraph_text

_HTML_BLOCKS = frozenset(
    ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote", "dt", "dd"]
)
_HTML_CONTAINERS = _HTML_BLOCKS | {"div"}


def read_html_text(text: str) -> list[Paragraph]:
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    elements = [el for el in soup.descendants if isinstance(el, Tag)]
    # A block (or div) is a paragraph only when no other block lies inside it. Computed
    # children-first in one pass: asking each element `find()` is quadratic on nested divs.
    holds_block: set[int] = set()
    for el in reversed(elements):
        if any(
            isinstance(ch, Tag) and (ch.name in _HTML_CONTAINERS or id(ch) in holds_block)
            for ch in el.contents
        ):
            holds_block.add(id(el))
    paragraphs: list[Paragraph] = []
    for el in elements:
        if el.name not in _HTML_CONTAINERS or id(el) in holds_block:
            continue
        content = paragraph_text(el.get_text(" "))
        if not content:
            continue
        level = int(el.name[1]) if re.fullmatch(r"h[1-6]", el.name) else None
        paragraphs.append(Paragraph(content, heading_level=level))
    if not paragraphs:
        paragraphs = [Paragraph(p) for p in split_paragraphs(soup.get_text("\n"))]
    return paragraphs
