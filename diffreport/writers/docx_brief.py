"""The Word briefing: title and metadata, contents, summary, targets, structure, changes by
priority, term shifts, and the whole text as tracked changes with reviewer comments.

Facts come from :mod:`diffreport.report` (with the edit script the appendix renders), wording from ``templates/brief.<lang>.j2``, styles,
page size and margins from ``templates/reference.docx``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from functools import partial
from pathlib import PurePath

from .. import __version__, edits
from ..model import Document
from ..report import (
    SUMMARY_STATUSES,
    BlockFact,
    BodyFacts,
    Facts,
    body_facts,
    gather,
    section_facts,
    snippet,
    texts_language,
)
from ..result import Alignment, Comparison
from ..sidecar import Staged, can_fork
from .ooxml import (
    FIELD_END_XML,
    PAGE_BREAK_RUN,
    TABLE_HEADER_FILL,
    Revisions,
    TextTables,
    TrackedPart,
    add_text,
    bookmarked_xml,
    commented,
    field_begin_xml,
    fixed_layout,
    generation_time,
    internal_link_xml,
    level_style,
    paragraph_xml,
    run_xml,
    set_core_properties,
    set_style,
    tracked_parts,
    xml_safe,
)
from .templates import Setup, setup, wording

CHANGE_STYLE = {
    "raised": "Change Raised",
    "lowered": "Change Lowered",
    "unchanged": "Change Same",
    "new": "Change New",
    "dropped": "Change Dropped",
    "reworded": "Change Reworded",
}
HEADER_FILL = TABLE_HEADER_FILL
TOC_LEVELS = 2
REDLINE_HEADINGS = ("Redline Heading 1", "Redline Heading 2", "Redline Heading 3")
SHORT_TABLE = 12  # rows
# The appendix's edit script, its paragraphs' XML and the structure table's facts (~0.28 s of
# a 1 MB pair's ~0.63 s of writing) are made in a forked child beside the rest
# (:func:`appendix_work`) from documents of this many characters (real-0.5m, 390,000: the
# parent's CPU 0.34 -> 0.29 s); below, the fork and the pages both processes then copy
# (copy-on-write) would eat most of the gain.
APPENDIX_FORK_MIN_CHARS = 200_000
# Up to this many characters the appendix's child is forked before the comparison is done
# (:class:`Ahead`), beside the comparison's own child: three processes then, which lift the
# tree's peak (real-1m, 778,000: 326 -> 411 MB; real-2m, 1,652,000: 566 -> 693, past the
# 600 MB a 2 MB pair may use); above, it is forked once the comparison's child has ended.
AHEAD_FORK_MAX_CHARS = 1_200_000


# The types of a macro's arguments whose words are kept (:meth:`Briefing.say`).
_PLAIN = frozenset((str, int, float, bool, type(None)))
# Where str.splitlines breaks a line.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _paragraphs(text: object, lang: str) -> list[str]:
    """A macro's output as paragraphs: blank lines separate them, other line breaks join."""
    text = str(text).strip()
    if not _LINE_BREAK.search(text):  # one line (most macros): nothing to split or join
        out = [text] if text else []
    else:
        joiner = "" if lang == "zh" else " "
        out = []
        for block in re.split(r"\n\s*\n", text):
            lines = [line.strip() for line in block.splitlines() if line.strip()]
            if lines:
                out.append(joiner.join(lines))
    if lang != "zh":
        out = [re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\s{2,}", " ", para)) for para in out]
    return out


class Briefing:
    """The briefing of one comparison: its facts (:meth:`judge`), then its package
    (:meth:`write`); :func:`render` runs both."""

    def __init__(self, c: Comparison, ready: Setup | Ahead):
        self.c = c
        self.ahead = ready if isinstance(ready, Ahead) else None
        if self.ahead is not None:
            self.ahead.check(c)
            ready = self.ahead.setup
        self.lang = ready.lang
        self.doc = ready.doc
        if self.ahead is not None:  # (the appendix's child may hold these already)
            self.when, self.revisions = self.ahead.when, self.ahead.revisions
        else:
            self.when = generation_time()
            self.revisions = Revisions(self.doc, when=self.when, comments_as_text=True)
        self.tables = TextTables(self.doc)
        # The body is written as XML text (python-docx builds an element per paragraph and
        # run, most of a long briefing's writing time), put in place when the package is
        # saved; only the title's small metadata table is built with python-docx.
        self.body: list[str] = []
        # The contents' headings (level, text, bookmark), known from the facts before the
        # body is written (:meth:`outline`); how many of them the body has reached.
        self.headings: list[tuple[int, str, str]] = []
        self._reached = 0
        self._stream: Callable[[str], None] | None = None
        self._style_ids: dict[str, str] = {}
        self._said: dict[tuple, list[str]] = {}  # (macro, plain arguments) -> paragraphs
        self._groups: list[tuple[str, list[BlockFact], list[BlockFact]]] | None = None

    def judge(self, take: Callable[[], object]) -> None:
        """The wording and the facts, with what :func:`appendix_work` finds (``take``)."""
        self.words = wording(self.lang)
        self.labels = self.words.labels
        date = self.when.strftime("%Y-%m-%d")
        body = self.ahead.body if self.ahead is not None else None
        self.facts: Facts = gather(self.c, self.lang, date, __version__, take, take, body)

    # ---------------------------------------------------------------- helpers
    # python-docx resolves a style name by scanning every style on each use; the briefing
    # sets thousands, so names are resolved once and ids written directly.

    def style_id(self, name: str) -> str:
        if not self._style_ids:
            self._style_ids = {s.name: s.style_id for s in self.doc.styles}
        return self._style_ids[name]

    def styled(self, paragraph, name: str | None):
        if name:
            set_style(paragraph, self.style_id(name))
        return paragraph

    def run(self, paragraph, text: str, style: str | None = None) -> None:
        add_text(paragraph, text, self.style_id(style) if style else None)

    def add(self, style: str | None, runs: list[tuple[str, str | None]] | str = "") -> None:
        """A paragraph at the end of the body: ``runs`` of (text, character style name or
        None), or inline XML text."""
        if not isinstance(runs, str):
            runs = "".join(run_xml(t, self.style_id(rs) if rs else None) for t, rs in runs)
        self.body.append(paragraph_xml(self.style_id(style) if style else None, runs))

    def flush(self) -> None:
        """The body written so far, into the document (before python-docx adds to it), or
        on to the stream once it is open (:meth:`write`)."""
        if self.body:
            if self._stream is not None:
                self._stream("".join(self.body))
            else:
                self.tables.add_xml("".join(self.body))
            self.body = []

    def say(self, macro: str, *args) -> list[str]:
        # A macro's words depend on its arguments alone: plain values are said once (their
        # types in the key: 1, 1.0 and True are equal keys but print apart).
        for arg in args:
            if type(arg) not in _PLAIN:  # facts (unhashable; thousands, each said once)
                return _paragraphs(getattr(self.words, macro)(*args), self.lang)
        key = (macro, args, tuple(map(type, args)))
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = _paragraphs(getattr(self.words, macro)(*args), self.lang)
        return list(said)

    def text(self, macro: str, *args) -> str:
        return " ".join(self.say(macro, *args))

    def heading(self, text: str, level: int) -> None:
        style = f"Heading {level}"
        if level <= TOC_LEVELS:
            # The contents listed this heading already (:meth:`outline`): the same one here.
            n = self._reached
            if n >= len(self.headings) or self.headings[n][:2] != (level, text):
                raise RuntimeError(f"heading {text!r} (level {level}) not in the outline")
            self._reached += 1
            name = self.headings[n][2]
            self.add(style, bookmarked_xml(name, 5_000 + n + 1, xml_safe(text)))
        else:
            self.add(style, [(text, None)])

    def para(self, text: str, style: str = "Body Text") -> None:
        self.add(style, [(text, None)] if text else [])

    def table(self, header: list[str], rows: list[list], widths_mm: list[float]) -> None:
        """A grid with a shaded header row repeated on every page, rows kept whole, written
        as XML text (python-docx builds a table cell by cell: most of a long briefing's
        writing time); a cell is text or ``[(text, character style name or None), …]``."""
        cells = [
            [
                value
                if isinstance(value, str)
                else [(text, self.style_id(style) if style else None) for text, style in value]
                for value in values
            ]
            for values in rows
        ]
        self.body.append(
            self.tables.xml(
                header,
                cells,
                widths_mm,
                HEADER_FILL,
                rows_unsplit=True,
                keep_together=len(rows) <= SHORT_TABLE,  # a short table stays on one page
            )
        )
        self.add("Table Text")  # keeps the next table or heading apart

    # ---------------------------------------------------------------- parts

    def title(self) -> None:
        f, lb = self.facts, self.labels
        self.para(lb["title"], "Title")
        if f.old_title != f.new_title:
            self.para(f"{f.old_title} → {f.new_title}", "Subtitle")
        else:  # two versions of one text: tell them apart by their file names
            self.para(f.new_title, "Subtitle")
            names = [PurePath(p).name for p in (f.old_path, f.new_path)]
            self.para(" → ".join(names), "Subtitle")
        self.flush()
        meta = self.doc.add_table(rows=0, cols=2)
        rows = [
            (lb["old_doc"], f"{f.old_title}\n{f.old_path}"),
            (lb["new_doc"], f"{f.new_title}\n{f.new_path}"),
            (lb["generated"], f.date),
            (lb["tool"], f"diffreport {f.version}"),
        ]
        from docx.shared import Mm

        for key, value in rows:
            cells = meta.add_row().cells
            self.run(self.styled(cells[0].paragraphs[0], "Table Heading"), key)
            for i, line in enumerate(value.split("\n")):
                p = cells[1].paragraphs[0] if i == 0 else cells[1].add_paragraph()
                self.run(self.styled(p, "Table Text"), line)
        fixed_layout(meta, [Mm(30), Mm(126)])

    def outline(self) -> list[tuple[int, str]]:
        """The headings the contents list (levels up to :data:`TOC_LEVELS`), in the order
        :meth:`write`'s parts write them, from the facts alone: the contents come first,
        so that all of the document after the title is final as it is written (and
        deflated meanwhile); :meth:`heading` checks each against this list."""
        f, lb = self.facts, self.labels
        out = [(1, lb["summary"]), (1, lb["targets"]), (1, lb["structure"])]
        if f.renumbered:
            out.append((2, lb["renumbering"]))
        out.append((1, self.words.headings["priorities"][f.genre]))
        if not f.same:
            out += [(2, title) for title, _, _ in self.priority_groups()]
        return out + [(1, lb["terms"]), (1, lb["appendix"])]

    def contents(self) -> None:
        """A TOC field whose cached result lists the headings as links (LibreOffice and PDF
        show it as is); marked dirty so Word rebuilds it with page numbers on opening."""
        self.headings = [
            (level, text, f"_Toc{i:04d}") for i, (level, text) in enumerate(self.outline(), 1)
        ]
        self.add("Table Text")
        self.para(self.labels["toc"], "TOC Heading")
        entries = []
        for i, (level, text, name) in enumerate(self.headings):
            content = ""
            if i == 0:
                content += field_begin_xml(f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u', dirty=True)
            content += internal_link_xml(name, xml_safe(text))
            if i == len(self.headings) - 1:
                content += FIELD_END_XML + PAGE_BREAK_RUN  # contents on a page of their own
            entries.append(paragraph_xml(self.style_id(f"TOC {level}"), content))
        self.body.append("".join(entries))

    def summary(self) -> None:
        f, lb = self.facts, self.labels
        self.heading(lb["summary"], 1)
        for part in self.words.summary_parts:
            for text in self.say(part, f):
                self.para(text)
        self.para(lb["overview"], "Briefing Label")
        header = list(self.words.overview_columns)
        rows = [
            [lb[f"level_{row.level}"]]
            + [str(row.counts[s]) for s in SUMMARY_STATUSES]
            + [str(row.moved)]
            for row in f.summary
        ]
        self.table(header, rows, [30] + [18] * 7)

    def targets(self) -> None:
        f, lb = self.facts, self.labels
        self.heading(lb["targets"], 1)
        if not f.targets:
            self.para(self.text("no_targets"))
            return
        self.para(self.text("targets_intro", f))
        rows = [
            [
                t.where or lb["none"],
                t.indicator,
                t.old or lb["none"],
                t.new or lb["none"],
                [(self.words.change[t.change], CHANGE_STYLE.get(t.change))],
            ]
            for t in f.targets
        ]
        self.table(
            [lb["col_place"], lb["col_indicator"], lb["col_old"], lb["col_new"], lb["col_change"]],
            rows,
            [28, 30, 41, 41, 16],
        )

    def structure(self) -> None:
        f, lb = self.facts, self.labels
        self.heading(lb["structure"], 1)
        st = self.words.status
        if f.sections:
            self.section_table()
        else:  # no table of nothing
            self.para(self.text("no_sections"))
        if f.renumbered:
            self.heading(lb["renumbering"], 2)
            self.para(self.text("renumbering_intro", f))
            rows = []
            for r in f.renumbered:
                status = st[r.status] + (
                    f"（{st['moved']}）" if r.moved and self.lang == "zh" else ""
                )
                if r.moved and self.lang != "zh":
                    status += f" ({st['moved']})"
                style = CHANGE_STYLE.get(
                    _section_style("unchanged" if r.status == "unchanged" else "changed")
                )
                rows.append([r.old_label, r.new_label, [(status, style)]])
            header = [lb["col_old_label"], lb["col_new_label"], lb["col_content"]]
            self.table(header, rows, [50, 50, 56])

    def section_table(self) -> None:
        f, lb = self.facts, self.labels
        self.para(self.text("structure_intro", f))
        st = self.words.status
        rows = []
        for s in f.sections:
            indent = "　" * max(s.depth - 1, 0)
            status = st[s.status] + (f"（{st['moved']}）" if s.moved and self.lang == "zh" else "")
            if s.moved and self.lang != "zh":
                status += f" ({st['moved']})"
            rows.append(
                [
                    indent + s.old_title if s.old_title else lb["none"],
                    indent + s.new_title if s.new_title else lb["none"],
                    [(status, CHANGE_STYLE.get(_section_style(s.status)))],
                    f"{s.old_blocks}→{s.new_blocks}",
                    f"{s.score:.2f}" if s.score is not None else lb["none"],
                ]
            )
        header = [lb["col_old_section"], lb["col_new_section"], lb["col_status"]]
        header += [lb["col_blocks"], lb["col_similarity"]]
        self.table(header, rows, [52, 52, 18, 19, 15])

    def priority_groups(self) -> list[tuple[str, list[BlockFact], list[BlockFact]]]:
        """The priorities' groups that hold blocks: (heading, blocks shown in full, blocks
        named in a line)."""
        if self._groups is None:
            f, lb = self.facts, self.labels
            self._groups = []
            for title, blocks in f.groups:
                shown = [b for b in blocks if b.noteworthy]
                quiet = [b for b in blocks if not b.noteworthy]
                if shown or quiet:
                    # Blocks before the first section open the document; with no sections,
                    # all of it.
                    heading = title or lb["front_matter" if f.sections else "whole_text"]
                    self._groups.append((heading, shown, quiet))
        return self._groups

    def priorities(self) -> None:
        f, lb = self.facts, self.labels
        self.heading(self.words.headings["priorities"][f.genre], 1)
        if f.same:
            self.para(self.text("no_priorities"))
            return
        self.para(self.text("priorities_intro", f))
        sep = "、" if self.lang == "zh" else "; "
        colon = "：" if self.lang == "zh" else ": "

        def names(blocks: list[BlockFact]) -> str:
            return sep.join(snippet(b.title, 30).rstrip("：:，,；;。") for b in blocks)

        for heading, shown, quiet in self.priority_groups():
            self.heading(heading, 2)
            for b in shown:
                self.block(b)
            # Minor changes and unchanged blocks collapse to one line each; a renumbered
            # unchanged block says both its numbers.
            minor = [b for b in quiet if b.status == "minor"]
            renumbered = [b for b in quiet if b.status == "unchanged" and b.renumbered]
            same = [b for b in quiet if b.status == "unchanged" and not b.renumbered]
            if minor:
                self.para(f"{lb['minor_blocks']}{colon}{names(minor)}", "Briefing Note")
            if same:
                self.para(f"{lb['unchanged_blocks']}{colon}{names(same)}", "Briefing Note")
            if renumbered:
                joiner = "；" if self.lang == "zh" else "; "
                said = joiner.join(self.text("renumbered_unchanged", b) for b in renumbered)
                self.para(said, "Briefing Note")
            self.flush()  # (on to the stream: a long briefing's priorities are megabytes)

    def block(self, b: BlockFact) -> None:
        lb = self.labels
        self.heading(self.text("block_heading", b), 3)
        self.para(self.text("block_note", b), "Briefing Note")
        for kind, measures, mark in (("new", b.new, "＋"), ("dropped", b.dropped, "－")):
            if measures:
                self.para(self.text("measures_label", kind, self.facts.genre), "Briefing Label")
                style = CHANGE_STYLE["new" if mark == "＋" else "dropped"]
                for m in measures:
                    self.add("Briefing Item", [(f"{mark} ", style), (m.text, None)])
        if b.changed:
            self.para(self.text("measures_label", "changed", self.facts.genre), "Briefing Label")
            for m in b.changed:
                runs: list[tuple[str, str | None]] = [("～ ", CHANGE_STYLE["reworded"])]
                for op, text in m.diff or [("equal", m.text)]:
                    runs.append(
                        (text, {"delete": "Deleted Text", "insert": "Inserted Text"}.get(op))
                    )
                self.add("Briefing Item", runs)
        for label, measures, macro in (
            ("measures_moved_in", b.moved_in, "moved_in"),
            ("measures_moved_out", b.moved_out, "moved_out"),
        ):
            if measures:
                self.para(lb[label], "Briefing Label")
                for m in measures:
                    self.add(
                        "Briefing Item",
                        [("⇄ ", CHANGE_STYLE["reworded"]), (self.text(macro, m), None)],
                    )

    def terms(self) -> None:
        f, lb = self.facts, self.labels
        self.heading(lb["terms"], 1)
        if not f.new_terms and not f.dropped_terms:
            self.para(self.text("no_terms"))
            return
        self.para(self.text("terms_intro", f))
        sep = "、" if self.lang == "zh" else "; "
        for label, terms in (("new_terms", f.new_terms), ("dropped_terms", f.dropped_terms)):
            if not terms:
                continue
            self.para(lb[label], "Briefing Label")
            rows = [
                [t.term, self.text("term_count", t), sep.join(snippet(w, 20) for w in t.where)]
                for t in terms
            ]
            self.table([lb["col_term"], lb["col_count"], lb["col_where"]], rows, [50, 20, 86])

    def appendix_heading(self) -> None:
        self.add(None, PAGE_BREAK_RUN)
        self.heading(self.labels["appendix"], 1)
        for text in self.say("appendix_intro", self.facts):
            self.para(text, "Briefing Note")

    def appendix(self, parts: Iterable[TrackedPart], write: Callable[[str], None]) -> None:
        """The edit script as tracked changes (``parts``: its paragraphs, :func:`appendix_work`)
        with comments, each paragraph's XML text given to ``write`` as it is made."""
        f = self.facts
        # Each comment's wording, worded once the appendix is written (word_comments), while
        # the deflating thread finishes: the ids and places are all that the text needs.
        comments: dict[tuple[str, str], list[Callable[[], str]]] = {}
        for b in f.blocks:
            if b.status != "unchanged":
                comments.setdefault(b.anchor, []).append(
                    partial(self.text, "comment_block", b, self.facts.genre)
                )
            elif b.moved or b.reordered:
                comments.setdefault(b.anchor, []).append(partial(self.text, "comment_moved", b))
        for t in f.targets:
            if t.change != "unchanged" and t.anchor is not None:
                comments.setdefault(t.anchor, []).append(partial(self.text, "comment_target", t))
        for xml in commented(self.revisions, parts, comments):
            write(xml)
        self.revisions.word_comments()

    def render(self) -> bytes:
        c = self.c
        child = self.ahead.child if self.ahead is not None else None
        if child is None:
            child = _appendix_child(c, self.revisions)
        with child if child is not None else nullcontext():
            here = None if child is not None else appendix_work(c, self.revisions)
            take = child.next if child is not None else lambda: next(here)
            # The facts need the script's moves and the structure only once most of them
            # are found.
            self.judge(take)
            return self.write(take)

    def write(self, take: Callable[[], object]) -> bytes:
        """The package; ``take`` gives the appendix's paragraphs (:func:`appendix_work`)."""
        from docx.shared import Mm

        if self.lang != "zh":  # GB/T 9704 margins are for Chinese official documents
            from docx.enum.text import WD_ALIGN_PARAGRAPH

            # Justified Latin text opens rivers of space; Chinese justifies cleanly.
            for name in ("Body Text", "Redline Text"):
                self.doc.styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
            for section in self.doc.sections:
                section.top_margin = section.bottom_margin = Mm(25)
                section.left_margin = section.right_margin = Mm(25)
        f = self.facts
        set_core_properties(self.doc, f"{f.old_title} → {f.new_title}", self.when)
        self.title()
        try:
            # The contents' headings are known from the facts (:meth:`outline`): all that
            # comes after the title is final as it is written, and is deflated on a second
            # core meanwhile (``TextTables.stream``; nothing is python-docx's from here).
            self._stream = self.tables.stream().write
            self.contents()
            for part in (
                self.summary,
                self.targets,
                self.structure,
                self.priorities,
                self.terms,
                self.appendix_heading,
            ):
                part()
                self.flush()
            if self._reached != len(self.headings):
                raise RuntimeError("the outline lists headings the briefing did not write")
            self.appendix(take(), self._stream)
            return self.tables.save(self.when)
        finally:
            self.tables.close()


def appendix_work(c: Comparison, revisions: Revisions) -> Iterator:
    """The appendix's edit script: its moves (what the facts need of it), then the structure
    table's facts (:func:`section_facts`, small, found here to share the work), then the
    script's paragraphs without comments (:func:`tracked_parts`), the revisions' ids handed
    out here (nothing else in the briefing takes one). Run in a forked child when it pays
    (see :data:`APPENDIX_FORK_MIN_CHARS`), the same values either way."""
    script = edits.script(c)
    yield script.moved_in
    yield section_facts(c)
    styles = [
        "Redline Text" if depth is None else level_style(depth, REDLINE_HEADINGS)
        for depth in edits.heading_depths(c, script.paragraphs)
    ]
    yield list(tracked_parts(revisions, script.paragraphs, styles))


def _appendix_child(c: Comparison, revisions: Revisions, ahead: bool = False) -> Staged | None:
    """:func:`appendix_work` in a forked child, where that pays and is safe now
    (:data:`APPENDIX_FORK_MIN_CHARS`, :func:`sidecar.can_fork`; ``ahead``, before the
    comparison is done: :data:`AHEAD_FORK_MAX_CHARS`), else None."""
    chars = sum(len(n.text) for doc in (c.old, c.new) for n in doc.of_kind("block"))
    if ahead and chars > AHEAD_FORK_MAX_CHARS:
        return None
    if chars >= APPENDIX_FORK_MIN_CHARS and can_fork(chars, None):
        return Staged(appendix_work, c, revisions)
    return None


class Ahead:
    """What the briefing makes of a comparison before it is done (:func:`prepare_ahead`,
    for ``compare(meanwhile=…)``, while the comparison waits for its side work): the set-up,
    the date and revisions, and where a forked child can begin :func:`appendix_work` (the
    edit script and the appendix need only the documents and the alignments), the facts of
    the body (:func:`report.body_facts`) meanwhile. Serves one briefing, of that comparison
    (:meth:`check`)."""

    def __init__(self, old: Document, new: Document, alignments: list[Alignment], lang: str):
        plain = (old.plain_text(), new.plain_text())  # (made once: the language, the facts)
        self.setup = prepare(old, new, texts_language(*plain) if lang == "auto" else lang)
        self.when = generation_time()
        self.revisions = Revisions(self.setup.doc, when=self.when, comments_as_text=True)
        self._made_of = (old, new, alignments)
        early = Comparison(old, new, alignments)  # (without its targets and terms: not read)
        self.child = _appendix_child(early, self.revisions, ahead=True)
        self.body: BodyFacts | None = None
        if self.child is not None:
            # (ended with this, if never rendered, or if the facts below fail)
            weakref.finalize(self, self.child.__exit__, None, None, None)
            # This process's share while the child finds the script's moves. Without the
            # child (documents too short or too long for it, or a thread of the comparison
            # still running, which makes a fork unsafe) the body's facts are found once the
            # comparison is done, beside the child forked then, which they would otherwise
            # wait for.
            self.body = body_facts(early, self.setup.lang, plain)

    def check(self, c: Comparison) -> None:
        """Refuses a comparison other than the one this was made from."""
        old, new, alignments = self._made_of
        if c.old is not old or c.new is not new or c.alignments is not alignments:
            raise ValueError("the briefing's set-up was made from another comparison")


def prepare_ahead(
    old: Document, new: Document, alignments: list[Alignment], lang: str = "auto"
) -> Ahead:
    """The briefing's set-up and what it can find before the comparison is done
    (:class:`Ahead`), for ``compare(meanwhile=…)``."""
    return Ahead(old, new, alignments, lang)


def _section_style(status: str) -> str:
    return {"unchanged": "unchanged", "new": "new", "dropped": "dropped"}.get(status, "reworded")


def prepare(old: Document, new: Document, lang: str = "auto") -> Setup:
    """The briefing's set-up from the two documents alone (:func:`templates.setup`), for
    ``compare(meanwhile=…)``: made while the comparison waits for its side work."""
    return setup(old, new, lang, "brief")


def render(c: Comparison, lang: str = "auto", ready: Setup | Ahead | None = None) -> bytes:
    """The briefing as .docx bytes; ``lang`` is zh, en or auto (from the documents' script);
    ``ready``: the set-up made beforehand (:func:`prepare`, or :func:`prepare_ahead` with
    more of the briefing), whose language it is."""
    if ready is None:
        ready = prepare(c.old, c.new, lang)
    return Briefing(c, ready).render()
