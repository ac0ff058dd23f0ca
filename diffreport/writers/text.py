"""Terminal view: a structured diff with colour (rich), and the same as plain text."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..compare import Comparison
from ..errors import printable
from ..report import block_changes, moved_places

_STATUS_STYLE = {
    "unchanged": "dim",
    "changed": "yellow",
    "new": "green",
    "dropped": "red",
    "split": "magenta",
    "merged": "magenta",
}
_MARK = {"new": "+", "dropped": "-", "changed": "~", "moved-in": "→", "moved-out": "←"}


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
    summary = Table(title="Summary", show_edge=False)
    summary.add_column("level")
    statuses = ["unchanged", "changed", "new", "dropped", "split", "merged", "moved"]
    for s in statuses:
        summary.add_column(s, justify="right")
    for level in ("section", "block", "sentence", "clause"):
        counts = c.counts(level)
        moved = sum(1 for a in c.at(level) if a.moved)
        summary.add_row(level, *[str(counts.get(s, 0)) for s in statuses[:-1]], str(moved))
    console.print(summary)

    console.print(Text("\nSections", style="bold"))
    for a in c.at("section"):
        old = " + ".join(c.old.node(i).text for i in a.old) or "∅"
        new = " + ".join(c.new.node(i).text for i in a.new) or "∅"
        line = Text(f"  [{a.status}{', moved' if a.moved else ''}] ", style=_STATUS_STYLE[a.status])
        line.append(old if old == new else f"{old}  →  {new}")
        console.print(line)

    console.print(Text("\nBlocks", style="bold"))
    for bc in block_changes(c):
        a = bc.alignment
        if a.status == "unchanged" and not show_unchanged and not a.moved:
            continue
        head = Text(
            f"● [{a.status}{', moved' if a.moved else ''}] ",
            style=_STATUS_STYLE[a.status] + " bold",
        )
        old_t, new_t = bc.old_title or "∅", bc.new_title or "∅"
        head.append(old_t if old_t == new_t else f"{old_t}  →  {new_t}")
        if a.score is not None:
            head.append(f"  ({a.score:.2f})", style="dim")
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
            else:
                style = {"new": "green", "dropped": "red"}.get(m.status, "cyan")
                line.append(m.text, style=style)
                if m.elsewhere:
                    arrow = "to" if m.status == "moved-out" else "from"
                    line.append(f"  ({arrow} {m.elsewhere})", style="cyan dim")
            console.print(line)

    shown = [t for t in c.targets if show_unchanged or t.change != "unchanged"]
    if shown:
        hidden = len(c.targets) - len(shown)
        title = "\nTargets" + (f" ({hidden} unchanged not shown)" if hidden else "")
        table = Table(title=title, show_edge=False)
        for col in ("indicator", "old", "new", "change"):
            table.add_column(col)
        for t in shown:
            table.add_row(
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
