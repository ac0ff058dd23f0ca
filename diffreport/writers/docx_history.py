"""The history briefing (.docx): what persisted, what is new in the latest version, what left
and when; a table per level with a column per version; target trajectories as a table and a
small line chart per indicator; term trajectories.

Facts from :mod:`.history` (the same rows the terminal and Markdown print), wording from
``templates/history.<lang>.j2``, styles from ``templates/reference.docx``; landscape, since a
column per version needs the width.
"""

from __future__ import annotations

import io

from ..errors import printable
from ..history import History, TargetTrajectory
from ..report import detect_language
from .history import rows, shown_targets, summary, target_cells, version_names
from .ooxml import TextTables, generation_time, set_core_properties, xml_safe
from .templates import empty_document, wording

MAX_CHARTS = 24  # more charts than this is a wall of pictures; the table has every figure
CHART_PX = (480, 150)  # drawn at 2× and shown 80 mm wide: sharp on screen and in print
MAX_GONE = 10  # units named in the summary as gone; the tables list them all
UNIT_COLUMN_MM = 70  # the unit's title; versions share the rest of the landscape width


def render(h: History, lang: str = "auto") -> bytes:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    lang = detect_language(h.steps[-1]) if lang == "auto" else lang
    words = wording(lang, "history")
    lb = words.labels
    when = generation_time()
    doc = empty_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    width_mm = 297 - 50
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, margin, Mm(25))

    names = version_names(h)
    titles = [d.title or names[k] for k, d in enumerate(h.versions)]

    def para(text: str, style: str = "Body Text"):
        return doc.add_paragraph(xml_safe(text), style=style)

    tables = TextTables(doc)

    def table(header: list[str], body_rows: list[list[str]], widths: list[float]) -> None:
        tables.add(header, body_rows, widths)
        para("", "Table Text")  # keeps the next table or heading apart

    version_width = (width_mm - UNIT_COLUMN_MM - 12) / len(names)
    para(lb["title"], "Title")
    para(" → ".join(dict.fromkeys(titles)), "Subtitle")
    table(
        [lb["col_version"], lb["col_title"], lb["col_file"]],
        [[names[k], titles[k], printable(d.path)] for k, d in enumerate(h.versions)],
        [40, 120, width_mm - 160],
    )

    s = summary(h)
    doc.add_heading(lb["summary"], 1)
    para(str(words.summary(s, names[-1])).strip())
    gone = [t for t in h.at("block") if t.last < len(names) - 1]
    # Priorities and articles first (they have titles or labels), then the longest paragraphs.
    gone.sort(key=lambda t: _weight(h, t))
    for track in gone[:MAX_GONE]:
        node = h.versions[track.last].node(track.members[track.last][0])
        title = node.title or node.text[:40]
        para(str(words.gone(title, names[track.last])).strip())
    para(lb["legend"], "Table Text")

    for level, key in (("section", "sections"), ("block", "units")):
        doc.add_heading(lb[key], 1)
        table(
            ["", lb["col_unit"], *names],
            [[r.track, r.title, *r.cells] for r in rows(h, level)],
            [12, UNIT_COLUMN_MM, *[version_width] * len(names)],
        )

    doc.add_heading(lb["targets"], 1)
    cells = target_cells(h)
    if cells:
        table(
            [lb["col_indicator"], *names],
            [[indicator, *values] for indicator, values in cells],
            [UNIT_COLUMN_MM + 12, *[version_width] * len(names)],
        )
        charted = [t for t in shown_targets(h) if _chartable(t)][:MAX_CHARTS]
        for t in charted:
            para(t.indicator, "Table Heading")
            doc.add_picture(io.BytesIO(_chart(t, names)), width=Mm(80))
    else:
        para(lb["no_targets"])

    doc.add_heading(lb["terms"], 1)
    if h.terms:
        term_rows = []
        for t in h.terms:
            note = lb["came_back"] if t.came_back else ""
            if not note and t.first:
                note = f"{lb['first_in']} {names[t.first]}"
            term_rows.append([t.term, *map(str, t.counts), note])
        table(
            [lb["col_term"], *names, lb["col_note"]],
            term_rows,
            [50, *[(width_mm - 100) / len(names)] * len(names), 50],
        )
    else:
        para(lb["no_terms"])

    set_core_properties(doc, " → ".join(dict.fromkeys(titles)), when)
    return tables.save(when)


def _weight(h: History, track) -> tuple[bool, int]:
    node = h.versions[track.last].node(track.members[track.last][0])
    return (not (node.title or node.label), -len(node.text))


def _chartable(t: TargetTrajectory) -> bool:
    """Two or more figures in one unit: a line means something."""
    figures = [v for v in t.values if v is not None and v.value is not None]
    return len(figures) >= 2 and len({v.unit for v in figures}) == 1


def _chart(t: TargetTrajectory, names: list[str]) -> bytes:
    """A small line chart of the figures, versions along the bottom (v1, v2 …: the table
    above names them; the built-in font has no Chinese)."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = CHART_PX
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=14)
    left, right, top, bottom = 50, w - 20, 20, h - 30
    n = len(t.values)
    xs = [left + (right - left) * k / max(1, n - 1) for k in range(n)]
    values = [v.value for v in t.values if v is not None and v.value is not None]
    lo, hi = min(values), max(values)
    span = (hi - lo) or abs(hi) or 1.0
    lo, hi = lo - span * 0.15, hi + span * 0.15

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - lo) / (hi - lo)

    draw.line([(left, bottom), (right, bottom)], fill="#999999")
    points = [
        (xs[k], y(v.value)) for k, v in enumerate(t.values) if v is not None and v.value is not None
    ]
    draw.line(points, fill="#1F4E79", width=3)
    unit = next(v.unit for v in t.values if v is not None and v.value is not None)
    for k, v in enumerate(t.values):
        draw.text((xs[k], bottom + 6), f"v{k + 1}", fill="#555555", font=font, anchor="mt")
        if v is None or v.value is None:
            continue
        px, py = xs[k], y(v.value)
        draw.ellipse([px - 4, py - 4, px + 4, py + 4], fill="#C00000")
        label = f"{v.value:g}" + (unit if unit.isascii() else "")
        draw.text((px, py - 8), label, fill="#000000", font=font, anchor="mb")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()
