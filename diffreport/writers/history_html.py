"""The history as a self-contained HTML page (``diffreport history … --format html``): the
same rows as the terminal and Word (:mod:`.history`), each cell coloured by its step, and a
small line per indicator drawn as inline SVG. No scripts, no external requests."""

from __future__ import annotations

from ..history import History, TargetTrajectory
from ..report import detect_language
from .history import rows, shown_targets, step_mark, summary, target_cells, version_names
from .templates import html_page, wording

SPARK = (120, 32, 4)  # width, height, margin of the inline SVG line, in CSS pixels
_KIND_OF_MARK = {"≈": "minor", "~": "changed", "+": "new", "−": "dropped", "↕": "moved"}
_KIND_OF_MARK |= {"<": "changed", ">": "changed", "↺": "reinstated", "=": "unchanged"}


def render(h: History, lang: str = "auto") -> bytes:
    lang = detect_language(h.steps[-1]) if lang == "auto" else lang
    words = wording(lang, "history")
    names = version_names(h)
    versions = [
        {"name": names[k], "title": d.title, "path": d.path} for k, d in enumerate(h.versions)
    ]
    tables = []
    for level, key in (("section", "sections"), ("block", "units")):
        tracks = {t.id: t for t in h.at(level)}
        table = []
        for r in rows(h, level):
            track = tracks[r.track]
            kinds = []
            for k, ids in enumerate(track.members):
                mark = step_mark(track, k - 1) if k else ""
                kinds.append("absent" if not ids else _KIND_OF_MARK.get(mark, "unchanged"))
            table.append(
                {
                    "track": r.track,
                    "title": r.title,
                    "cells": list(zip(r.cells, kinds, strict=True)),
                }
            )
        tables.append((key, table))
    targets = [
        {"indicator": name, "cells": cells, "points": _points(t)}
        for (name, cells), t in zip(target_cells(h), shown_targets(h), strict=True)
    ]
    terms = []
    for t in h.terms:
        note = words.labels["came_back"] if t.came_back else ""
        if not note and t.first:
            note = f"{words.labels['first_in']} {names[t.first]}"
        terms.append({"term": t.term, "counts": t.counts, "note": note})
    return html_page(
        "history.html.j2",
        lang=lang,
        labels=words.labels,
        versions=versions,
        summary_text=str(words.summary(summary(h), names[-1])).strip(),
        tables=tables,
        targets=targets,
        terms=terms,
    )


def _points(t: TargetTrajectory) -> str:
    """SVG polyline points of the figures (two or more in one unit), else ""."""
    figures = [
        (k, v.value) for k, v in enumerate(t.values) if v is not None and v.value is not None
    ]
    if len(figures) < 2 or len({t.values[k].unit for k, _ in figures}) != 1:
        return ""
    width, height, margin = SPARK
    lo, hi = min(v for _, v in figures), max(v for _, v in figures)
    span = (hi - lo) or 1.0
    steps = max(1, len(t.values) - 1)

    def xy(k: int, v: float) -> str:
        x = margin + (width - 2 * margin) * k / steps
        y = height - margin - (height - 2 * margin) * ((v - lo) / span if hi > lo else 0.5)
        return f"{x:.1f},{y:.1f}"

    return " ".join(xy(k, v) for k, v in figures)
