"""Terminal view: a structured diff with colour (rich), and the same as plain text."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import printable
from ..report import (
    SUMMARY_STATUSES,
    block_changes,
    front_lines,
    is_front,
    moved_places,
    renumbering,
    shown_score,
    summary,
    target_place,
)
from ..result import Comparison

_STATUS_STYLE = {
    "unchanged": "dim",
    "changed": "yellow",
    "new": "green",
    "dropped": "red",
    "split": "magenta",
    "merged": "magenta",
}
_MARK = {"new": "+", "dropped": "-", "changed": "~", "moved-in": "→", "moved-out": "←"}
# How a minor change (punctuation, case, script, numbering glyph only) is marked.
MINOR = "minor"


def _status(a) -> str:
    """`changed, minor, moved, low confidence`: the status with its qualifiers."""
    hedge = ", low confidence" if a.confidence == "low" else ""
    return a.status + (f", {MINOR}" if a.minor else "") + (", moved" if a.moved else "") + hedge


def _diff_text(diff: list[tuple[str, str]]) -> Text:
    out = Text()
    for op, text in diff:
        if op == "equal":
            out.append(text)
        elif op == "delete":
            out.append(f"[-{text}-]", style="red strike")
        else:
            out.append(f"{{+{text}+}}", style="green underline")
    return out


def render(c: Comparison, console: Console, show_unchanged: bool = False) -> None:
    # A file name may hold anything a terminal would obey (an escape sequence): shown escaped.
    console.print(Text(f"--- {printable(c.old.path or 'old')}  {c.old.title}", style="bold red"))
    console.print(Text(f"+++ {printable(c.new.path or 'new')}  {c.new.title}", style="bold green"))
    table = Table(title="Summary (body; front matter apart)", show_edge=False)
    table.add_column("level")
    for s in (*SUMMARY_STATUSES, "moved", MINOR):
        table.add_column(s, justify="right")
    for row in summary(c):
        counts = [str(row.counts[s]) for s in SUMMARY_STATUSES]
        table.add_row(row.level, *counts, str(row.moved), str(row.minor))
    console.print(table)

    added, removed = front_lines(c)
    if added or removed:
        console.print(Text("\nFront matter (版本信息)", style="bold"))
        for text in removed:
            console.print(Text(f"  - {text}", style="red"))
        for text in added:
            console.print(Text(f"  + {text}", style="green"))

    console.print(Text("\nSections", style="bold"))
    for a in c.at("section"):
        if is_front(c, a):
            continue
        old = " + ".join(c.old.node(i).text for i in a.old) or "∅"
        new = " + ".join(c.new.node(i).text for i in a.new) or "∅"
        line = Text(f"  [{_status(a)}] ", style=_STATUS_STYLE[a.status])
        line.append(old if old == new else f"{old}  →  {new}")
        console.print(line)

    console.print(Text("\nBlocks", style="bold"))
    minor_titles: list[str] = []
    for bc in block_changes(c):
        a = bc.alignment
        if bc.front or (a.status == "unchanged" and not show_unchanged and not a.moved):
            continue
        if a.minor and not a.moved and not show_unchanged:
            minor_titles.append(bc.new_title)
            continue
        head = Text(f"● [{_status(a)}] ", style=_STATUS_STYLE[a.status] + " bold")
        renumbered, old_t, new_t = bc.titles()
        old_t, new_t = old_t or "∅", new_t or "∅"
        if renumbered:
            head.append(f"({renumbered}) ", style="cyan")
        head.append(old_t if old_t == new_t else f"{old_t}  →  {new_t}")
        if a.score is not None:
            head.append(f"  ({shown_score(a.score, a.status == 'unchanged'):.2f})", style="dim")
        if a.places:
            head.append(f"  moved: {moved_places(c, a.places)}", style="cyan")
        console.print(head)
        if a.evidence and (a.evidence.added or a.evidence.removed):
            ev = Text("    ")
            if a.evidence.added:
                ev.append("+ " + " ".join(a.evidence.added[:6]) + "  ", style="green")
            if a.evidence.removed:
                ev.append("- " + " ".join(a.evidence.removed[:6]), style="red")
            console.print(ev)
        for m in bc.measures:
            line = Text(f"    {_MARK[m.status]} ", style="bold")
            if m.status == "changed" and m.diff:
                line.append(_diff_text(m.diff))
                if m.minor:
                    line.append(f"  ({MINOR})", style="dim")
            else:
                style = {"new": "green", "dropped": "red"}.get(m.status, "cyan")
                line.append(m.text, style=style)
                if m.elsewhere:
                    arrow = "to" if m.status == "moved-out" else "from"
                    line.append(f"  ({arrow} {m.elsewhere})", style="cyan dim")
            console.print(line)

    if minor_titles:
        line = Text(
            f"● [changed, {MINOR}: punctuation, case, script or numbering only] ", style="dim"
        )
        line.append("、".join(minor_titles))
        console.print(line)
    renumbered = c.renumbered
    if renumbered:
        console.print(Text(f"\nRenumbered ({len(renumbered)})", style="bold cyan"))
        for a in renumbered:
            console.print(
                Text(f"  {renumbering(a.old_label or '', a.new_label or '')}  [{_status(a)}]")
            )

    shown = [t for t in c.targets if show_unchanged or t.change != "unchanged"]
    if shown:
        hidden = len(c.targets) - len(shown)
        title = "\nTargets" + (f" ({hidden} unchanged not shown)" if hidden else "")
        table = Table(title=title, show_edge=False)
        for col in ("where", "indicator", "old", "new", "change"):
            table.add_column(col)
        for t in shown:
            table.add_row(
                target_place(t) or "—",
                t.indicator,
                t.old.text if t.old else "—",
                t.new.text if t.new else "—",
                Text(
                    t.change,
                    style={
                        "raised": "green",
                        "lowered": "red",
                        "dropped": "red",
                        "new": "green",
                    }.get(t.change, ""),
                ),
            )
        console.print(table)
    for kind, style in (("new", "green"), ("dropped", "red"), ("rose", "green"), ("fell", "red")):
        terms = c.terms.get(kind, [])
        if terms:
            console.print(Text(f"\nTerms {kind}: ", style="bold " + style), end="")
            console.print(Text("、".join(f"{t.term}({t.old_count}→{t.new_count})" for t in terms)))
    renames = c.terms.get("renames", [])
    if renames:
        console.print(Text("\nRenamed: ", style="bold cyan"), end="")
        console.print(Text("; ".join(f"{r.old} → {r.new} (×{r.count})" for r in renames)))
