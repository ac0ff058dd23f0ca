"""The comparison: a pure function from two documents to a :class:`Comparison`.

``compare(old, new)`` accepts paths, text, or parsed :class:`Document` objects; reading is
done by :mod:`diffreport.readers`, and only when given a path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from .align import Aligner
from .beside import side_work
from .classify import Classifier
from .measures import pair_measures
from .model import LEVELS, Document, SourceText
from .parse import parse
from .rating import rate
from .result import Alignment, Comparison, Pairing
from .sides import tokenised
from .similarity import Vocabulary
from .tokens import forget_given_words


def load(source: str | Path | Document | SourceText, max_bytes: int | None = None) -> Document:
    """A path (read from disk), text (a string with a newline, or that is not an existing
    path), a :class:`SourceText`, or an already parsed :class:`Document`."""
    if isinstance(source, Document):
        return source
    if isinstance(source, SourceText):
        return parse(source)
    if isinstance(source, Path) or (
        "\n" not in source and len(source) < 4096 and Path(source).exists()
    ):
        from .readers import read

        return parse(read(source, max_bytes=max_bytes))
    from .readers import read_text

    return parse(read_text(source))


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def compare(
    old: str | Path | Document | SourceText,
    new: str | Path | Document | SourceText,
    *,
    workers: int | None = None,
    max_bytes: int | None = None,
    meanwhile: Callable[[Document, Document, list[Alignment]], object] | None = None,
) -> Comparison:
    """Compare two documents: read (if paths), parse, align, classify. ``meanwhile``: the
    caller's own work on the two parsed documents and their alignments (the CLI's JSON
    encodes the nodes and the alignments there, a Word writer readies its wording and
    document), done while the side work is waited for; what it returns is kept as
    :attr:`Comparison.prepared`."""
    timings: dict[str, float] = {}
    # Stages as `--profile` prints them; reading is timed here only when given paths.
    with _timed(timings, "parse"):
        old_doc = load(old, max_bytes)
        new_doc = load(new, max_bytes)
    # Front matter (title, enactment history, addressees) is compared only with the other
    # side's front matter, and the body only with the body: neither can pair with, merge
    # into or split from the other.
    old_body, new_body = old_doc.part(front=False), new_doc.part(front=False)
    # What needs the documents alone, and the reading order, is found beside this process on
    # a second core where that pays, else here at its turn: the same result either way.
    with side_work(old_doc, new_doc, old_body, new_body, workers) as side:
        with _timed(timings, "tokenise"):
            vocab = Vocabulary()
            # (the old side's words first: those of its first nodes may come from beside)
            old_side = tokenised(old_body, vocab, side.words_ahead())
            side.ahead_done()
            forget_given_words()
            new_side = tokenised(new_body, vocab, side.new_words_ahead())
            side.ahead_done()
            forget_given_words()
            aligner = Aligner(old_side, new_side, workers, vocab)
        with _timed(timings, "align"):
            pairs = aligner.run()
            weights = side.weights(aligner.vocab)
            front = _align_front(old_doc, new_doc, weights)
            # The measures paired and the pairings rated (where the child pairs the measures,
            # the clauses' stand once classifying has them: see beside.Beside.measured).
            pairs = side.measured(front, pairs, weights, partial(rate, aligner.old, aligner.new))
            # The aligner's profiles, postings and caches are a third of the peak at 2 MB a
            # side: freed here, their memory serves the stages after.
            del aligner, old_side, new_side, vocab
            for level, front_pairs in front.items():
                pairs[level] = front_pairs + pairs[level]
        with _timed(timings, "classify"):
            alignments = side.classified(Classifier(old_doc, new_doc, weights), pairs)
        prepared = None
        if meanwhile is not None:  # (while the child finds the figures' changes and the shifts)
            with _timed(timings, "meanwhile"):
                prepared = meanwhile(old_doc, new_doc, alignments)
        with _timed(timings, "targets+terms"):
            targets = side.targets(alignments)
            terms = side.term_shifts(alignments)
    return Comparison(old_doc, new_doc, alignments, targets, terms, timings, prepared)


def _align_front(old: Document, new: Document, weights: dict[str, float]) -> dict:
    """The pairings of the two front matters, aligned as documents of their own."""
    old_front, new_front = old.part(front=True), new.part(front=True)
    if not old_front.nodes or not new_front.nodes:
        return {
            level: [Pairing(level, [n.id], [], None) for n in old_front.of_kind(level)]
            + [Pairing(level, [], [n.id], None) for n in new_front.of_kind(level)]
            for level in LEVELS
        }
    aligner = Aligner(old_front, new_front)
    pairs = pair_measures(old_front, new_front, aligner.run(), weights)
    rate(aligner.old, aligner.new, pairs)
    return pairs
