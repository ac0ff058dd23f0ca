"""Markdown report: the same facts as the terminal view, for issues, wikis and e-mail."""

from __future__ import annotations

from ..errors import printable
from ..report import (
    SUMMARY_STATUSES,
    block_changes,
    front_lines,
    moved_places,
    renumbering,
    shown_score,
    summary,
    target_place,
)
from ..result import Comparison


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _diff_md(diff: list[tuple[str, str]]) -> str:
    out = []
    for op, text in diff:
        if op == "equal":
            out.append(_esc(text))
        elif op == "delete":
            out.append(f"~~{_esc(text)}~~")
        else:
            out.append(f"**{_esc(text)}**")
    return "".join(out)


def render(c: Comparison) -> str:
    lines = [f"# {_esc(c.old.title)} → {_esc(c.new.title)}", ""]
    lines += [f"- old: `{printable(c.old.path)}`", f"- new: `{printable(c.new.path)}`", ""]
    columns = ["level", *SUMMARY_STATUSES, "moved", "minor"]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in summary(c):
        cells = [row.level, *(str(row.counts[s]) for s in SUMMARY_STATUSES)]
        lines.append("| " + " | ".join([*cells, str(row.moved), str(row.minor)]) + " |")
    lines += ["", "Counts are of the body; front matter (title, history) is compared apart."]
    added, removed = front_lines(c)
    if added or removed:
        lines += ["", "## Front matter (版本信息)", ""]
        lines += [f"- dropped: {_esc(t)}" for t in removed]
        lines += [f"- new: {_esc(t)}" for t in added]
    # Like the terminal: the targets that changed; the unchanged ones are counted (JSON has all).
    shown = [t for t in c.targets if t.change != "unchanged"]
    hidden = len(c.targets) - len(shown)
    if c.targets:
        lines += ["", "## Targets", ""]
        if hidden:
            lines += [f"{hidden} unchanged not shown.", ""]
    if shown:
        lines += ["| where | indicator | old | new | change |", "|---|---|---|---|---|"]
        for t in shown:
            lines.append(
                f"| {_esc(target_place(t)) or '—'} | {_esc(t.indicator)} | "
                f"{_esc(t.old.text) if t.old else '—'} | "
                f"{_esc(t.new.text) if t.new else '—'} | {t.change} |"
            )
    lines += ["", "## Blocks", ""]
    minor: list[str] = []
    for bc in block_changes(c):
        a = bc.alignment
        if bc.front or (a.status == "unchanged" and not a.moved):
            continue
        renumbered, old_t, new_t = bc.titles()
        prefix = f"({renumbered}) " if renumbered else ""
        title = prefix + (old_t if old_t == new_t else f"{old_t or '∅'} → {new_t or '∅'}")
        if a.minor and not a.moved:
            diff = _diff_md(a.diff) if a.diff else ""
            minor.append(f"- {_esc(title)}" + (f": {diff}" if diff else ""))
            continue
        score = (
            f" ({shown_score(a.score, a.status == 'unchanged'):.2f})" if a.score is not None else ""
        )
        status = a.status + (", minor" if a.minor else "") + (", moved" if a.moved else "")
        if a.confidence == "low":
            status += ", low confidence: the pairing is uncertain"
        lines.append(f"### {_esc(title)} — {status}{score}")
        if a.places:
            lines += ["", f"Moved: {_esc(moved_places(c, a.places))}"]
        lines.append("")
        for m in bc.measures:
            if m.status == "changed" and m.diff:
                lines.append(f"- ~ {_diff_md(m.diff)}" + (" *(minor)*" if m.minor else ""))
            else:
                where = (
                    f" ({'to' if m.status == 'moved-out' else 'from'} {_esc(m.elsewhere)})"
                    if m.elsewhere
                    else ""
                )
                lines.append(f"- {m.status}: {_esc(m.text)}{where}")
        lines.append("")
    if minor:
        lines += [
            "<details><summary>Minor changes (punctuation, case, script or numbering only): "
            f"{len(minor)}</summary>",
            "",
            *minor,
            "",
            "</details>",
            "",
        ]
    if c.renumbered:
        lines += ["## Renumbered", "", "| renumbering | status |", "|---|---|"]
        for a in c.renumbered:
            status = a.status + (", minor" if a.minor else "")
            lines.append(
                f"| {_esc(renumbering(a.old_label or '', a.new_label or ''))} | {status} |"
            )
        lines.append("")
    for kind in ("new", "dropped", "rose", "fell"):
        terms = c.terms.get(kind, [])
        if terms:
            lines.append(f"## Terms {kind}")
            lines.append("")
            lines.append("、".join(f"{_esc(t.term)} ({t.old_count}→{t.new_count})" for t in terms))
            lines.append("")
    renames = c.terms.get("renames", [])
    if renames:
        lines += ["## Renamed", ""]
        lines += [f"- {_esc(r.old)} → {_esc(r.new)} (×{r.count})" for r in renames]
        lines.append("")
    return "\n".join(lines) + "\n"
