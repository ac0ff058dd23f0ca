"""Markdown report: the same facts as the terminal view, for issues, wikis and e-mail."""

from __future__ import annotations

from ..compare import Comparison
from ..errors import printable
from ..report import block_changes, moved_places


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
    lines += [
        "| level | unchanged | changed | new | dropped | split | merged | moved |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for level in ("section", "block", "sentence", "clause"):
        k = c.counts(level)
        moved = sum(1 for a in c.at(level) if a.moved)
        lines.append(
            f"| {level} | {k.get('unchanged', 0)} | {k.get('changed', 0)} | {k.get('new', 0)} | "
            f"{k.get('dropped', 0)} | {k.get('split', 0)} | {k.get('merged', 0)} | {moved} |"
        )
    if c.targets:
        lines += ["", "## Targets", "", "| indicator | old | new | change |", "|---|---|---|---|"]
        for t in c.targets:
            lines.append(
                f"| {_esc(t.indicator)} | {_esc(t.old.text) if t.old else '—'} | "
                f"{_esc(t.new.text) if t.new else '—'} | {t.change} |"
            )
    lines += ["", "## Blocks", ""]
    for bc in block_changes(c):
        a = bc.alignment
        if a.status == "unchanged" and not a.moved:
            continue
        title = (
            bc.old_title
            if bc.old_title == bc.new_title
            else f"{bc.old_title or '∅'} → {bc.new_title or '∅'}"
        )
        score = f" ({a.score:.2f})" if a.score is not None else ""
        lines.append(f"### {_esc(title)} — {a.status}{', moved' if a.moved else ''}{score}")
        if a.places:
            lines += ["", f"Moved: {_esc(moved_places(c, a.places))}"]
        lines.append("")
        for m in bc.measures:
            if m.status == "changed" and m.diff:
                lines.append(f"- ~ {_diff_md(m.diff)}")
            else:
                where = (
                    f" ({'to' if m.status == 'moved-out' else 'from'} {_esc(m.elsewhere)})"
                    if m.elsewhere
                    else ""
                )
                lines.append(f"- {m.status}: {_esc(m.text)}{where}")
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
