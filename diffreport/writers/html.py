"""A self-contained HTML report: the two versions side by side like the 对照表, row by row,
from :func:`diffreport.sidebyside.rows`, with the targets and term shifts at the top, a
sticky outline with change counts, status filters, keyboard navigation (``n`` / ``p``) and
moved units linked both ways.

One file, nothing fetched: the style sheet and script (``templates/sidebyside.css`` and
``sidebyside.js``) are inlined and a Content-Security-Policy forbids every request, so the page
works offline and from an e-mail attachment. Each block alignment is one row element with
``data-level``, ``data-status``, ``data-old`` and ``data-new``. Rows are plain elements whose
off-screen layout the browser skips (``content-visibility``), so a large pair stays usable.
"""

from __future__ import annotations

from html import escape
from pathlib import PurePath

from .. import __version__
from ..errors import printable
from ..report import detect_language
from ..result import Comparison
from ..sidebyside import Cell, Row, document_date, outline, rows
from .dates import generation_time
from .templates import folder, wording

# Statuses the filters offer, in this order; a row belongs to its status, and also to
# `moved` and `minor` when it is one.
FILTERS = ("changed", "minor", "new", "dropped", "moved", "split", "merged", "unchanged")
# Rows per group of the page's table: the browser lays out only the groups near the screen.
ROWS_PER_GROUP = 40
# The targets and terms lists start open when this short, folded (one click) when longer.
OPEN_UP_TO = 12
MARK_TAG = {"delete": "del", "insert": "ins"}
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; form-action 'none'; base-uri 'none'"
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _segments(cell: Cell) -> str:
    out = []
    for mark, text in cell.segments:
        tag = MARK_TAG.get(mark)
        out.append(f"<{tag}>{_e(text)}</{tag}>" if tag else _e(text))
    return "".join(out)


def _folding(title: str, count: int) -> str:
    """The start of a ``details`` element: open when short, folded when long."""
    is_open = " open" if count <= OPEN_UP_TO else ""
    return (
        f'<details{is_open}><summary><h3>{_e(title)} <span class="n">{count}</span></h3></summary>'
    )


class _Page:
    def __init__(self, c: Comparison, lang: str, level: str) -> None:
        self.c = c
        self.lang = lang
        self.words = wording(lang, "sidebyside")
        self.labels = self.words.labels
        self.genre = c.new.genre if c.new.genre == c.old.genre else "generic"
        self.rows = rows(c, level)

    def categories(self, row: Row) -> list[str]:
        if row.kind == "moved-away":
            return ["moved"]
        cats = [row.status]
        if row.minor and "minor" not in cats:
            cats.append("minor")
        if row.moved:
            cats.append("moved")
        return cats

    def badge(self, row: Row) -> str:
        """The status as symbol and word (never colour alone), then the note's details."""
        st, sym = self.words.status, self.words.symbols
        cats = [k for k in self.categories(row) if k != "unchanged"]
        if row.minor:
            cats = [k for k in cats if k != "changed"]
        badges = "".join(
            f'<span class="st st-{k}"><span aria-hidden="true">{_e(sym.get(k, ""))}</span> '
            f"{_e(st.get(k, k))}</span>"
            for k in cats
        )
        note = str(self.words.details(row)).strip()
        if row.kind == "moved-away":
            note = str(self.words.status_word(row, self.genre)).strip()
        link = ""
        if row.partner:
            where = self.labels["jump_old" if row.kind == "unit" else "jump_new"]
            link = (
                f' <a class="jump" href="#{row.partner}" data-partner="{row.partner}">'
                f"⇄ {_e(where)}</a>"
            )
        return f'{badges}<span class="why">{_e(note)}</span>{link}'

    def side(self, cells: list[Cell], cls: str, heading_level: int = 0) -> str:
        if heading_level:
            tag = f"h{heading_level}"
            inner = "".join(f"<{tag}>{_segments(c)}</{tag}>" for c in cells)
        else:
            inner = "".join(f'<div class="unit">{_segments(c)}</div>' for c in cells)
        return f'<div class="{cls}" role="cell">{inner}</div>'

    def row(self, row: Row) -> str:
        attrs = [f'id="{row.anchor}"', 'role="row"', 'tabindex="-1"']
        cats = " ".join(self.categories(row))
        if row.kind == "moved-away":
            text = str(self.words.moved_away(row)).strip()
            old = "".join(c.node.id for c in row.old)
            attrs += [
                'class="row away"',
                f'data-cats="{cats}"',
                f'data-away-old="{_e(old)}"',
                f'data-section="{row.section}"',
            ]
            left = (
                f'<div class="old" role="cell"><a class="jump" href="#{row.partner}" '
                f'data-partner="{row.partner}">{_e(text)}</a></div>'
            )
            return (
                f'<div {" ".join(attrs)}>{left}<div class="new" role="cell"></div>'
                f'<div class="note" role="cell">{self.badge(row)}</div></div>'
            )
        level = "section" if row.kind == "heading" else row.level
        attrs += [
            f'class="row {"heading" if row.kind == "heading" else "unit"}"',
            f'data-level="{level}"',
            f'data-status="{row.status}"',
            f'data-cats="{cats}"',
            f'data-old="{_e(" ".join(row.old_ids))}"',
            f'data-new="{_e(" ".join(row.new_ids))}"',
            f'data-section="{row.section}"',
        ]
        if row.moved:
            attrs.append('data-moved="true"')
        if row.minor:
            attrs.append('data-minor="true"')
        if row.front:
            attrs.append('data-front="true"')
        heading = min(2 + row.depth, 6) if row.kind == "heading" else 0
        if heading and row.same_heading and not row.moved:
            # One full-width heading on screen; printed, the heading stands in both columns
            # (a CSS table has no column span).
            attrs[3] = 'class="row heading same"'
            return (
                f"<div {' '.join(attrs)}>"
                + self.side(row.old, "old", heading)
                + self.side(row.new, "new", heading)
                + '<div class="note" role="cell"></div></div>'
            )
        return (
            f"<div {' '.join(attrs)}>"
            + self.side(row.old, "old", heading)
            + self.side(row.new, "new", heading)
            + f'<div class="note" role="cell">{self.badge(row)}</div></div>'
        )

    def head(self) -> str:
        c, lb = self.c, self.labels
        # A file name may hold controls or bytes that are not UTF-8: shown escaped.
        old_name, new_name = printable(c.old.path), printable(c.new.path)
        title = str(self.words.title(c.old.title or old_name, c.new.title or new_name))
        lines = []
        for key, doc in (("old_doc", c.old), ("new_doc", c.new)):
            name = printable(PurePath(doc.path).name) if doc.path else ""
            parts = [p for p in (doc.title, document_date(doc), name) if p]
            lines.append(
                f"<div><dt>{_e(lb[key])}</dt><dd>{' · '.join(_e(p) for p in parts)}</dd></div>"
            )
        when = generation_time().strftime("%Y-%m-%d")
        lines.append(
            f"<div><dt>{_e(lb['generated'])}</dt><dd>{when} · diffreport {__version__}</dd></div>"
        )
        return f'<header><h1>{_e(title)}</h1><dl class="meta">{"".join(lines)}</dl></header>'

    def summary(self) -> str:
        c, lb, words = self.c, self.labels, self.words
        units = [r for r in self.rows if r.kind == "unit"]
        counts = {k: sum(1 for r in units if k in self.categories(r)) for k in FILTERS}
        parts = ['<section id="overview" aria-labelledby="h-overview">']
        parts.append(f'<h2 id="h-overview">{_e(lb["summary"])}</h2>')
        parts.append(f'<p class="legend">{_e(lb["legend"])}</p>')
        if c.targets:
            parts.append(_folding(lb["targets"], len(c.targets)))
            parts.append('<table class="targets"><thead><tr>')
            for h in (lb["col_indicator"], lb["col_old"], lb["col_new"], lb["col_change"]):
                parts.append(f'<th scope="col">{_e(h)}</th>')
            parts.append("</tr></thead><tbody>")
            for t in c.targets:
                none = lb["none"]
                parts.append(
                    f'<tr class="tc-{t.change}"><td>{_e(t.indicator)}</td>'
                    f"<td>{_e(t.old.text) if t.old else none}</td>"
                    f"<td>{_e(t.new.text) if t.new else none}</td>"
                    f"<td>{_e(words.change.get(t.change, t.change))}</td></tr>"
                )
            parts.append("</tbody></table></details>")
        sep = "、" if self.lang == "zh" else ", "
        term_lists = [
            ("new_terms", c.terms.get("new", [])),
            ("dropped_terms", c.terms.get("dropped", [])),
        ]
        if any(terms for _, terms in term_lists) or c.terms.get("renames"):
            n_terms = sum(len(t) for _, t in term_lists) + len(c.terms.get("renames", []))
            parts.append(_folding(lb["terms"], n_terms))
            parts.append('<dl class="terms">')
            for key, terms in term_lists:
                if terms:
                    items = sep.join(
                        f"{_e(t.term)}<small>（{t.old_count}→{t.new_count}）</small>" for t in terms
                    )
                    parts.append(f"<div><dt>{_e(lb[key])}</dt><dd>{items}</dd></div>")
            renames = c.terms.get("renames", [])
            if renames:
                items = sep.join(f"{_e(r.old)} → {_e(r.new)}" for r in renames)
                parts.append(f"<div><dt>{_e(lb['renamed_terms'])}</dt><dd>{items}</dd></div>")
            parts.append("</dl></details>")
        parts.append("</section>")
        self.counts = counts
        return "".join(parts)

    def controls(self) -> str:
        lb, st, sym = self.labels, self.words.status, self.words.symbols
        boxes = []
        for k in FILTERS:
            if not self.counts.get(k):
                continue
            boxes.append(
                f'<label class="st-{k}"><input type="checkbox" name="status" value="{k}" '
                f'checked> <span aria-hidden="true">{_e(sym[k])}</span> {_e(st[k])} '
                f'<span class="n">{self.counts[k]}</span></label>'
            )
        return (
            f'<div id="controls" role="group" aria-label="{_e(lb["filters"])}">'
            f'<span class="label">{_e(lb["filters"])}</span>{"".join(boxes)}'
            f'<button type="button" id="prev" title="p">↑ {_e(lb["prev"])}</button>'
            f'<button type="button" id="next" title="n">↓ {_e(lb["next"])}</button>'
            f'<span class="keys">{_e(lb["keys"])}</span></div>'
        )

    def nav(self) -> str:
        lb = self.labels
        items = []
        for o in outline(self.rows):
            count = f' <span class="n">{o.changes}</span>' if o.changes else ""
            items.append(
                f'<li class="d{min(o.depth, 4)}"><a href="#{o.anchor}">{_e(o.title)}</a>{count}</li>'
            )
        return (
            f'<nav id="outline" aria-labelledby="h-outline"><h2 id="h-outline">'
            f"{_e(lb['outline'])}</h2><ol>{''.join(items)}</ol></nav>"
        )

    def table(self) -> str:
        lb = self.labels
        head = (
            '<div class="hdr" role="row">'
            f'<div role="columnheader">{_e(lb["col_old"])}</div>'
            f'<div role="columnheader">{_e(lb["col_new"])}</div>'
            f'<div role="columnheader">{_e(lb["col_note"])}</div></div>'
        )
        # Rows in groups whose off-screen layout the browser skips (content-visibility):
        # a group of rows, not each row, so that scrolling checks a few hundred boxes.
        groups = [
            '<div class="rows" role="rowgroup">'
            + "\n".join(self.row(r) for r in self.rows[i : i + ROWS_PER_GROUP])
            + "</div>"
            for i in range(0, len(self.rows), ROWS_PER_GROUP)
        ]
        body = "\n".join(groups)
        label = _e(str(self.words.title(self.c.old.title, self.c.new.title)))
        return f'<div id="table" class="sbs" role="table" aria-label="{label}">{head}\n{body}</div>'

    def render(self) -> str:
        templates = folder()
        css = (templates / "sidebyside.css").read_text(encoding="utf-8")
        js = (templates / "sidebyside.js").read_text(encoding="utf-8")
        title = str(self.words.title(self.c.old.title, self.c.new.title))
        summary = self.summary()
        lang = "zh-CN" if self.lang == "zh" else "en"
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="diffreport {__version__}">\n'
            f"<title>{_e(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
            f'<a class="skip" href="#table">{_e(self.labels["col_old"])} | '
            f"{_e(self.labels['col_new'])}</a>\n"
            f"{self.nav()}\n<main>\n{self.head()}\n{summary}\n{self.controls()}\n"
            f"{self.table()}\n</main>\n<script>\n{js}</script>\n</body>\n</html>\n"
        )


def render(c: Comparison, lang: str = "auto", level: str = "block") -> str:
    """The report as one HTML page; ``lang`` zh, en or auto; ``level`` block or sentence."""
    lang = detect_language(c) if lang == "auto" else lang
    return _Page(c, lang, level).render()
