"""The one-page overview of a batch (``diffreport batch … --report FILE.html|.docx``), from
:class:`diffreport.corpus.CorpusFacts`. Wording in ``templates/corpus.<lang>.j2``, the page's
shape in ``templates/corpus.html.j2`` (autoescaped: titles and terms are document text)."""

from __future__ import annotations

import re

from ..corpus import CorpusFacts
from .ooxml import TextTables, generation_time, set_core_properties, xml_safe
from .templates import empty_document, html_page, wording

_CJK = re.compile(r"[\u4e00-\u9fff]")


def language(facts: CorpusFacts) -> str:
    titles = "".join(p.title for p in facts.most_changed)
    return "zh" if _CJK.search(titles) else "en"


def _totals(facts: CorpusFacts, labels: dict) -> str:
    return labels["totals"].format(
        pairs=facts.pairs,
        compared=facts.compared,
        same=facts.same,
        errors=facts.errors,
        seconds=f"{facts.seconds:.1f}",
    )


def render_html(facts: CorpusFacts, lang: str = "auto") -> bytes:
    lang = language(facts) if lang == "auto" else lang
    labels = wording(lang, "corpus").labels
    return html_page(
        "corpus.html.j2", lang=lang, labels=labels, facts=facts, totals=_totals(facts, labels)
    )


def render_docx(facts: CorpusFacts, lang: str = "auto") -> bytes:
    lang = language(facts) if lang == "auto" else lang
    labels = wording(lang, "corpus").labels
    when = generation_time()
    doc = empty_document()

    tables = TextTables(doc)

    def table(header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        tables.add(header, rows, widths)

    doc.add_paragraph(labels["title"], style="Title")
    doc.add_paragraph(xml_safe(_totals(facts, labels)), style="Body Text")
    doc.add_heading(labels["most_changed"], 1)
    table(
        [labels["col_document"], labels["col_changed"], labels["col_share"]],
        [
            [f"{p.title}\n{p.old} → {p.new}", f"{p.changed} / {p.blocks}", f"{p.share:.0%}"]
            for p in facts.most_changed
        ],
        [110, 30, 20],
    )
    for key, col, rows in (
        ("new_terms", "col_term", facts.new_terms),
        ("dropped_terms", "col_term", facts.dropped_terms),
        ("raised", "col_indicator", facts.raised),
        ("lowered", "col_indicator", facts.lowered),
    ):
        doc.add_heading(labels[key], 2)
        if rows:
            table([labels[col], labels["col_pairs"]], [[n, str(c)] for n, c in rows], [130, 30])
        else:
            doc.add_paragraph(labels["none"], style="Body Text")
    set_core_properties(doc, labels["title"], when)
    return tables.save(when)
