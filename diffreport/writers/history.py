"""History as text: the terminal's track table and Markdown, from one set of facts.

:func:`facts` turns a :class:`~diffreport.history.History` into rows (one per track, one cell
per version, a mark per step) that both renderers and the Word writer print.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import one_line
from ..history import History, TargetTrajectory, Track

# One mark per step, so a row reads left to right like the versions.
STEP_MARK = {
    "unchanged": "=",
    "changed": "~",
    "minor": "≈",
    "new": "+",
    "dropped": "−",
    "split": "<",
    "merged": ">",
    "moved": "↕",
    "reinstated": "↺",
}
LEGEND = (
    "= unchanged  ≈ minor change  ~ changed  ↕ moved  < split  > merged  + new  − dropped  "
    "↺ reinstated"
)
SNIPPET = 36  # characters of a unit's text shown when it has no title


@dataclass(slots=True)
class Row:
    track: str
    title: str
    cells: list[str]  # per version: the unit's label (or ●) with the mark of the step into it


def version_names(h: History) -> list[str]:
    # one_line: a file name may hold control characters; none reaches a terminal raw.
    return [
        one_line(Path(d.path).stem) if d.path else f"v{k + 1}" for k, d in enumerate(h.versions)
    ]


def step_mark(track: Track, step: int) -> str:
    event = next((e for e in track.events if e.step == step), None)
    if event is None:
        return ""
    if event.reinstated:
        return STEP_MARK["reinstated"]
    if event.moved and event.status in ("unchanged", "changed"):
        return STEP_MARK["moved"]
    if event.status == "changed" and event.minor:
        return STEP_MARK["minor"]
    return STEP_MARK.get(event.status, "?")


def rows(h: History, level: str = "block") -> list[Row]:
    out = []
    for track in h.at(level):
        doc = h.versions[track.last]
        node = doc.node(track.members[track.last][0])
        title = node.title or _snippet(node.text[len(node.label) :].strip() or node.text)
        cells = []
        for k, ids in enumerate(track.members):
            mark = step_mark(track, k - 1) if k else ""
            labels = [h.versions[k].node(i).label for i in ids]
            here = "、".join(x for x in labels if x) or ("●" if ids else "")
            cells.append(f"{mark} {here}".strip() if here or mark else "·")
        out.append(Row(track.id, title, cells))
    return out


def summary(h: History) -> dict[str, int]:
    """Counts of the body's block tracks: in every version, new in the latest, gone, back,
    always changed; and of the front matter's lines (title, history), counted apart."""
    blocks = [t for t in h.at("block") if not t.front]
    n = len(h.versions)
    return {
        "versions": n,
        "front": sum(t.front for t in h.at("block")),
        "tracks": len(blocks),
        "throughout": sum(len(t.present) == n for t in blocks),
        "new_in_latest": sum(t.first == n - 1 for t in blocks),
        "gone": sum(t.last < n - 1 for t in blocks),
        "reinstated": sum(t.reinstated for t in blocks),
        "changed_every_step": sum(t.changed_every_step for t in blocks),
    }


def shown_targets(h: History) -> list[TargetTrajectory]:
    """The targets that change at some step; the others are counted (the JSON has all)."""
    return [t for t in h.targets if any(c not in (None, "unchanged") for c in t.changes)]


def target_cells(h: History) -> list[tuple[str, list[str]]]:
    """Rows of :func:`shown_targets`: the indicator, then per version its value and mark."""
    arrows = {"raised": "↑", "lowered": "↓", "unchanged": "=", "reworded": "≈", "new": "＋"}
    out = []
    for t in shown_targets(h):
        cells = []
        for k, v in enumerate(t.values):
            change = t.changes[k - 1] if k else None
            mark = arrows.get(change or "", "")
            cells.append(f"{mark} {v.text}".strip() if v else ("－" if change == "dropped" else ""))
        out.append((t.indicator, cells))
    return out


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(h: History) -> str:
    names = version_names(h)
    s = summary(h)
    lines = [f"# History of {len(names)} versions", ""]
    lines += [
        f"{k + 1}. {_md(d.title or names[k])} (`{_md(names[k])}`)" for k, d in enumerate(h.versions)
    ]
    lines += [
        "",
        f"{s['tracks']} units: {s['throughout']} in every version, {s['new_in_latest']} new in "
        f"the latest, {s['gone']} gone before it, {s['reinstated']} reinstated, "
        f"{s['changed_every_step']} changed at every step."
        + (f" Front matter (title, history) apart: {s['front']} lines." if s["front"] else ""),
        "",
        f"Marks: {LEGEND}",
        "",
    ]
    for level, heading in (("section", "Sections"), ("block", "Units")):
        lines += [f"## {heading}", "", "| | unit | " + " | ".join(map(_md, names)) + " |"]
        lines.append("|---|---|" + "---|" * len(names))
        for r in rows(h, level):
            lines.append(f"| {r.track} | {_md(r.title)} | " + " | ".join(map(_md, r.cells)) + " |")
        lines.append("")
    targets = target_cells(h)
    steady = len(h.targets) - len(targets)
    if steady:
        lines += ["## Targets", "", f"{steady} unchanged in every version not shown.", ""]
    if targets:
        lines += [] if steady else ["## Targets", ""]
        lines += ["| indicator | " + " | ".join(map(_md, names)) + " |"]
        lines.append("|---|" + "---|" * len(names))
        for indicator, cells in targets:
            lines.append(f"| {_md(indicator)} | " + " | ".join(map(_md, cells)) + " |")
        lines.append("")
    if h.terms:
        lines += ["## Terms", "", "| term | " + " | ".join(map(_md, names)) + " | |"]
        lines.append("|---|" + "---|" * len(names) + "---|")
        for t in h.terms:
            note = "came back" if t.came_back else (f"first in {names[t.first]}" if t.first else "")
            lines.append(f"| {_md(t.term)} | " + " | ".join(map(str, t.counts)) + f" | {note} |")
        lines.append("")
    return "\n".join(lines)


def render_text(h: History, console) -> None:
    """The terminal's compact track table (rich)."""
    from rich.markup import escape
    from rich.table import Table

    names = version_names(h)
    s = summary(h)
    console.print(
        f"[bold]{len(names)} versions[/]: {s['tracks']} units, {s['throughout']} in every "
        f"version, {s['new_in_latest']} new in the latest, {s['gone']} gone, "
        f"{s['reinstated']} reinstated, {s['changed_every_step']} changed at every step"
        + (f"; front matter apart: {s['front']} lines" if s["front"] else "")
    )
    for level in ("section", "block"):
        table = Table(title=f"{level}s", title_justify="left", show_lines=False)
        table.add_column("", style="dim")
        table.add_column("unit")
        for name in names:
            table.add_column(escape(name))
        for r in rows(h, level):
            table.add_row(r.track, escape(r.title), *map(escape, r.cells))
        console.print(table)
    targets = target_cells(h)
    steady = len(h.targets) - len(targets)
    if targets:
        title = "targets" + (f" ({steady} unchanged in every version not shown)" if steady else "")
        table = Table(title=title, title_justify="left")
        table.add_column("indicator")
        for name in names:
            table.add_column(escape(name))
        for indicator, cells in targets:
            table.add_row(escape(indicator), *map(escape, cells))
        console.print(table)
    console.print(f"[dim]{LEGEND}[/]")
