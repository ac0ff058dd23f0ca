"""The side work of a comparison in a forked child: the same result as in process, computed
where it says, and no child left behind."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest

from diffreport import beside, sidecar, sides, targets
from diffreport.compare import compare
from diffreport.sidecar import ASK, POLL, Staged, can_fork

linux_two_cores = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="forks only on Linux with two cores or more",
)

REVISIONS = Path(__file__).parent / "fixtures" / "law" / "revisions"


def _pid_and(value: int):
    yield os.getpid(), value * 2


def _fails_in_a_child(parent: int):
    if os.getpid() != parent:
        raise RuntimeError("the child's failure")
    yield os.getpid()


def _sleeps_in_a_child(parent: int):
    if os.getpid() != parent:
        time.sleep(60)
    yield os.getpid()


def _children() -> set[int]:
    task = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return {int(p) for p in task.read_text().split()} if task.exists() else set()


@linux_two_cores
def test_a_forked_result_comes_from_the_child():
    with Staged(_pid_and, 21) as work:
        pid, value = work.next()
    assert value == 42
    assert pid != os.getpid()


@linux_two_cores
def test_a_child_that_fails_leaves_the_work_to_the_parent():
    with Staged(_fails_in_a_child, os.getpid()) as work:
        assert work.next() == os.getpid()


@linux_two_cores
def test_a_child_stopped_by_a_signal_leaves_the_work_to_the_parent():
    # A host's handler that carries on (the CLI's raises; a batch worker's sets a flag) must
    # not keep the child alive: the child ends on the signal.
    earlier = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        _stop_a_sleeping_child()
    finally:
        signal.signal(signal.SIGTERM, earlier)


def _stop_a_sleeping_child() -> None:
    before = _children()
    with Staged(_sleeps_in_a_child, os.getpid()) as work:
        (child,) = _children() - before
        os.kill(child, signal.SIGTERM)  # the parent's own handler would raise, not end it
        started = time.monotonic()
        assert work.next() == os.getpid()
        assert time.monotonic() - started < 30
    assert _children() == before


@linux_two_cores
def test_a_result_never_asked_for_leaves_no_child():
    before = _children()
    with pytest.raises(ValueError):
        with Staged(_pid_and, 1):
            raise ValueError("the comparison failed")
    assert _children() == before


def test_no_fork_for_one_worker_small_documents_or_other_threads():
    big = sidecar.FORK_MIN_CHARS
    assert not can_fork(big, workers=1)
    assert not can_fork(big - 1, workers=None)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork(big, workers=None)
    finally:
        stop.set()
        other.join()


@linux_two_cores
def test_a_comparison_is_the_same_with_its_side_work_forked(monkeypatch):
    old, new = REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"
    alone = compare(old, new, workers=1)
    # Forced: the pair is small, and threads other tests leave behind would forbid it.
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    forks = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(sidecar.os, "fork", fork)
    forked = compare(old, new)
    assert len(forks) == 1
    assert forked.to_json() == alone.to_json()
    assert forked.targets and any(forked.terms.values())


@linux_two_cores
@pytest.mark.parametrize("fail_after", [0, 1, 3])
def test_a_comparison_is_the_same_when_the_child_fails_while_it_sends_words(
    fail_after, monkeypatch
):
    """A child that ends after sending the words of a few chunks of nodes (or none): the
    parent finds the other words, and the rest, itself: the same comparison, no child left."""
    old, new = REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    monkeypatch.setattr(sides, "AHEAD_CHUNK", 40)  # (several chunks of a small document)
    monkeypatch.setattr(Staged, "ready", lambda self: True)  # (each chunk waited for)
    parent, real = os.getpid(), beside.words_ahead
    sent = []

    def fails_in_a_child(body, count, known=None):
        for k, found in enumerate(real(body, count, known=known)):
            if k == fail_after and os.getpid() != parent:
                raise RuntimeError("the child's failure")
            sent.append(k)
            yield found

    monkeypatch.setattr(beside, "words_ahead", fails_in_a_child)
    before = _children()
    assert compare(old, new).to_json() == alone.to_json()
    assert len(sent) > fail_after + 1  # (the other chunks found here)
    assert _children() == before


def _pids(parent: int, fail_after: int | None):
    """Yields (pid, k) three times; in a child, fails after ``fail_after`` values."""
    for k in range(3):
        if fail_after is not None and k == fail_after and os.getpid() != parent:
            raise RuntimeError("the child's failure")
        yield os.getpid(), k


@linux_two_cores
def test_staged_values_come_from_the_child_one_by_one():
    before = _children()
    with Staged(_pids, os.getpid(), None) as work:
        got = [work.next() for _ in range(3)]
    assert [k for _, k in got] == [0, 1, 2]
    assert all(pid != os.getpid() for pid, _ in got)
    assert _children() == before


@linux_two_cores
def test_staged_values_the_child_failed_to_send_are_computed_here():
    before = _children()
    with Staged(_pids, os.getpid(), 1) as work:
        first, second, third = (work.next() for _ in range(3))
    assert first[0] != os.getpid() and first[1] == 0
    assert second == (os.getpid(), 1) and third == (os.getpid(), 2)
    assert _children() == before


@linux_two_cores
def test_staged_values_never_asked_for_leave_no_child():
    before = _children()
    with pytest.raises(ValueError):
        with Staged(_pids, os.getpid(), None) as work:
            work.next()
            raise ValueError("the comparison failed")
    assert _children() == before


@linux_two_cores
def test_staged_values_passed_over_are_skipped_in_the_child_and_here():
    with Staged(_pids, os.getpid(), None) as work:
        deadline = time.monotonic() + 30
        while not work.ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert work.ready()
        work.skip()
        pid, k = work.next()
        assert k == 1 and pid != os.getpid()
    with Staged(_pids, os.getpid(), 1) as work:  # the child fails after its first value
        work.next()
        work.skip()  # (the failure found here: the third value is computed here)
        assert work.next() == (os.getpid(), 2)
        assert not work.ready()


@linux_two_cores
def test_several_values_passed_over_at_once():
    with Staged(_pids, os.getpid(), None) as work:
        work.skip(2)  # (not sent yet, or sent: dropped on one thread as they come)
        pid, k = work.next()
        assert k == 2 and pid != os.getpid()
    with Staged(_pids, os.getpid(), 1) as work:  # the child fails after its first value
        work.skip(2)
        assert work.next() == (os.getpid(), 2)  # (found here, in order)


def _first_when_flagged(flag: str):
    """Its first value once ``flag`` exists (at most 20 s later), then its second."""
    deadline = time.monotonic() + 20
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.01)
    yield "first"
    yield "second"


@linux_two_cores
def test_passing_over_a_value_does_not_wait_for_the_child(tmp_path):
    """A value the parent does without (not found yet) costs it no wait: the child's copy is
    dropped when the next value is asked for."""
    flag = tmp_path / "go"
    with Staged(_first_when_flagged, str(flag)) as work:
        assert not work.ready()
        start = time.monotonic()
        work.skip()
        waited = time.monotonic() - start
        flag.touch()
        assert work.next() == "second"
    assert waited < 5


@linux_two_cores
def test_a_comparison_is_the_same_when_the_child_is_late(monkeypatch):
    """Words the child has not sent when they are needed are found here instead: the same
    comparison."""
    old, new = REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    for ready in (False, True):
        monkeypatch.setattr(Staged, "ready", lambda self, ready=ready: ready)
        assert compare(old, new).to_json() == alone.to_json()


def _work_while_waiting():
    from conftest import SEEDS

    return [
        # the renames' candidates readied until the shifts' alignments are told (the 2nd tell)
        (
            "ready_renames",
            2,
            REVISIONS / "生物安全法.2020-10-17.md",
            REVISIONS / "生物安全法.2024-04-26.md",
        ),
        # a plan rewritten through (most units lack a twin): the clauses' spans found for
        # the measures until the pairings are told (the 1st)
        ("spans_ahead", 1, SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
    ]


@linux_two_cores
@pytest.mark.parametrize("late", [0.0, 0.3])
@pytest.mark.parametrize(("work", "tell_at", "old", "new"), _work_while_waiting())
def test_what_the_child_does_while_it_waits_for_a_tell_stops_when_told(
    work, tell_at, old, new, late, monkeypatch, tmp_path
):
    """While it waits for what the parent tells it, the child does work that only fills
    caches (terms.ready_renames, measures.spans_ahead), a step at a time until it is told
    (every step when told late): the comparison is the one made in one process."""
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    real_work, steps = getattr(beside, work), tmp_path / "steps"

    def spied(*args):
        for step in real_work(*args):
            with steps.open("a") as out:  # (a file: the child's steps are seen here too)
                out.write(f"{os.getpid()}\n")
            yield step
        with steps.open("a") as out:
            out.write("done\n")

    monkeypatch.setattr(beside, work, spied)
    real_tell, told = Staged.tell, []

    def tell(self, message):
        told.append(message)
        if len(told) == tell_at:  # (told late)
            time.sleep(late)
        return real_tell(self, message)

    monkeypatch.setattr(Staged, "tell", tell)
    assert compare(old, new).to_json() == alone.to_json()
    taken = steps.read_text().split() if steps.exists() else []
    assert str(os.getpid()) not in taken  # (done in the child only)
    if late:
        assert "done" in taken  # (every step done before it was told)


def _doubles_what_it_is_told(parent: int, fail: bool = False):
    """Yields (pid, twice what it is told), twice; in a child, fails after the first when
    ``fail``."""
    for k in range(2):
        told = yield ASK
        if fail and k and os.getpid() != parent:
            raise RuntimeError("the child's failure")
        yield os.getpid(), told * 2


@linux_two_cores
def test_what_the_parent_tells_the_child_answers_its_asks():
    before = _children()
    with Staged(_doubles_what_it_is_told, os.getpid()) as work:
        work.tell(21)
        work.tell([1, "a"])  # (told before it is asked for: it waits in the pipe)
        first, second = work.next(), work.next()
    assert first[1] == 42 and second[1] == [1, "a", 1, "a"]
    assert first[0] != os.getpid() and second[0] != os.getpid()
    assert _children() == before


@linux_two_cores
def test_a_child_that_fails_after_it_was_told_leaves_the_rest_to_the_parent():
    with Staged(_doubles_what_it_is_told, os.getpid(), True) as work:
        work.tell(1)
        assert work.next()[0] != os.getpid()
        work.tell(Fraction(1, 3))  # (no built-in value: pickled)
        assert work.next() == (os.getpid(), Fraction(2, 3))


def _polls_until_told():
    """Counts the polls answered False (nothing told yet), then sends them with what it is
    told."""
    polls = 0
    while not (yield POLL):
        polls += 1
        time.sleep(0.001)
    yield os.getpid(), polls, (yield ASK)


@linux_two_cores
def test_a_poll_says_whether_the_parent_has_told_the_child_its_next_answer():
    with Staged(_polls_until_told) as work:
        time.sleep(0.1)  # (the child polls meanwhile)
        work.tell("go")
        pid, polls, told = work.next()
    assert pid != os.getpid() and polls > 0 and told == "go"


def test_without_a_child_a_poll_finds_what_was_told_there(monkeypatch):
    # (run here, the generator is asked for values only once what they need is told)
    monkeypatch.setattr(sidecar.os, "fork", lambda: (_ for _ in ()).throw(OSError("none")))
    with Staged(_polls_until_told) as work:
        work.tell("go")
        assert work.next() == (os.getpid(), 0, "go")


def test_without_a_child_what_is_told_answers_the_asks_here(monkeypatch):
    def no_process() -> int:
        raise OSError("no process could be made")

    monkeypatch.setattr(sidecar.os, "fork", no_process)
    with Staged(_doubles_what_it_is_told, os.getpid()) as work:
        work.tell(2)
        assert work.next() == (os.getpid(), 4)
        work.tell("ab")
        assert work.next() == (os.getpid(), "abab")


def _large_then_flags(go: str, done: str):
    """Once ``go`` exists, a value larger than a pipe holds; then ``done`` made, and a second."""
    deadline = time.monotonic() + 20
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.01)
    yield b"x" * (4 << 20)
    Path(done).touch()
    yield "second"


@linux_two_cores
def test_a_value_passed_over_does_not_hold_the_child_up(tmp_path):
    """The child writes a value until it is read: one passed over is read (and dropped) at
    once, so the child goes on to the next while the parent does without it."""
    go, done = tmp_path / "go", tmp_path / "done"
    with Staged(_large_then_flags, str(go), str(done)) as work:
        assert not work.ready()
        work.skip()
        go.touch()
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert done.exists()  # (before the parent asked for anything more)
        assert work.next() == "second"


@linux_two_cores
def test_a_value_not_asked_for_yet_does_not_hold_the_child_up(tmp_path):
    """A value waits in the pipe until the parent asks for it (the weights, sent early, are
    asked for once the parent has aligned): the child goes on to the next meanwhile."""
    go, done = tmp_path / "go", tmp_path / "done"
    go.touch()
    with Staged(_large_then_flags, str(go), str(done)) as work:
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert done.exists()  # (before the parent asked for anything)
        assert work.next() == b"x" * (4 << 20)
        assert work.next() == "second"


@linux_two_cores
def test_a_comparison_is_the_same_when_the_child_fails_after_it_was_told(monkeypatch):
    """A child that ends while it pairs the figures (told the units paired): the parent
    finds the figures' changes and the terms' shifts itself, the same."""
    old, new = REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    parent, real = os.getpid(), targets.compare_targets
    here = []

    def fails_in_a_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("the child's failure")
        here.append(kwargs.get("pairs") is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(targets, "compare_targets", fails_in_a_child)
    before = _children()
    assert compare(old, new).to_json() == alone.to_json()
    assert here == [True]  # (found here, from the units the child was told)
    assert _children() == before


@linux_two_cores
def test_the_weights_come_from_the_child_when_it_has_sent_them(monkeypatch):
    old, new = REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    parent, real = os.getpid(), beside.rarity
    here = []

    def rarity(*args):
        if os.getpid() == parent:
            here.append(len(args))
        return real(*args)

    monkeypatch.setattr(beside, "rarity", rarity)
    for ready, found_here in ((True, []), (False, [3])):
        here.clear()
        monkeypatch.setattr(Staged, "ready", lambda self, ready=ready: ready)
        assert compare(old, new).to_json() == alone.to_json()
        assert here == found_here  # (here from the aligner's codes only when not sent)


@linux_two_cores
@pytest.mark.parametrize(
    "law", ["中国人民解放军文职人员条例", "保守国家秘密法", "北京市实施《水法》办法"]
)
def test_the_child_finds_the_side_facts_and_the_parent_classifies_every_level(
    law, monkeypatch, tmp_path
):
    """The child finds the terms' uses (and the shifts from them) while the parent aligns
    and classifies every pairing itself: the comparison is the one made in one process."""
    old, new = sorted(REVISIONS.glob(f"{law}.*.md"))
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    real_uses, callers = beside.term_uses, tmp_path / "callers"

    def term_uses(*args, **kwargs):
        with callers.open("a") as out:  # (a file: the child's calls are seen here too)
            out.write(f"{os.getpid()}\n")
        return real_uses(*args, **kwargs)

    monkeypatch.setattr(beside, "term_uses", term_uses)
    monkeypatch.setattr(importlib.import_module("diffreport.terms"), "term_uses", term_uses)
    here = _levels_classified_here(monkeypatch)
    for ready in (True, False):
        here.clear()
        callers.unlink(missing_ok=True)
        monkeypatch.setattr(Staged, "ready", lambda self, ready=ready: ready)
        forked = compare(old, new)
        assert forked.to_json() == alone.to_json()
        assert len(here) == len(alone.alignments)  # (every pairing classified here)
        # the uses found by the child: the spy saw the child's call only
        calls = callers.read_text().split()
        assert calls and str(os.getpid()) not in calls
    assert {a.confidence for a in forked.at("block") if a.old and a.new} - {None}


def _levels_classified_here(monkeypatch) -> list[str]:
    """The levels of the pairings this process classifies (not a forked child), filled in
    as a comparison runs."""
    parent, real = os.getpid(), beside.Classifier.__call__
    here: list[str] = []

    def classify(self, pairing):
        if os.getpid() == parent:
            here.append(pairing.level)
        return real(self, pairing)

    monkeypatch.setattr(beside.Classifier, "__call__", classify)
    return here


@linux_two_cores
def test_a_comparison_is_the_same_when_the_child_fails_while_it_finds_the_shifts(monkeypatch):
    """A child that ends while it finds the terms' shifts: the parent finds them itself,
    and the comparison is the same."""
    old, new = REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    parent, real = os.getpid(), beside.term_shifts

    def fails_in_a_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("the child's failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(beside, "term_shifts", fails_in_a_child)
    before = _children()
    for ready in (False, True):
        monkeypatch.setattr(Staged, "ready", lambda self, ready=ready: ready)
        assert compare(old, new).to_json() == alone.to_json()
    assert _children() == before


@linux_two_cores
def test_the_same_when_the_shifts_read_the_sentences_the_child_sends_after_the_order(
    monkeypatch,
):
    """The terms' shifts read the sentences when no clause changed: the parent tells the
    child the levels they read, whichever they are, and finds the reading order itself
    when the child's has not come (passed over)."""
    old, new = sorted(REVISIONS.glob("保守国家秘密法.*.md"))
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    real = beside.shift_level_needed

    def sentences_first(found):
        return real(found) if "sentence" in found or "block" not in found else "sentence"

    monkeypatch.setattr(beside, "shift_level_needed", sentences_first)
    skipped = []
    real_skip = Staged.skip
    monkeypatch.setattr(
        Staged,
        "skip",  # (the words of the first nodes passed over, several at once, not counted)
        lambda self, count=1: (count == 1 and skipped.append(1)) or real_skip(self, count),
    )
    for ready in (False, True):
        skipped.clear()
        monkeypatch.setattr(Staged, "ready", lambda self, ready=ready: ready)
        assert compare(old, new).to_json() == alone.to_json()
        assert bool(skipped) != ready  # (the weights and the order, passed over when late)


def _marked_revisions(folder: Path, mark: str) -> list[Path]:
    """A law's two versions written to ``folder`` with each line marked: texts no other test
    has had segmented, so none is cached."""
    paths = []
    for name in ("生物安全法.2020-10-17.md", "生物安全法.2024-04-26.md"):
        lines = (REVISIONS / name).read_text(encoding="utf-8").splitlines()
        path = folder / name
        path.write_text("\n".join(f"{x}{mark}" if x.strip() else x for x in lines), "utf-8")
        paths.append(path)
    return paths


def test_the_key_terms_words_found_beside_are_most_of_those_the_classifier_segments(
    monkeypatch, tmp_path
):
    """The child finds the words of the key terms' texts the classifier will read (units
    whose text the other document lacks, by their own text): they are content_word_tuple's,
    and they cover most of what classifying would otherwise segment (none if the texts were
    not the classifier's: an article's own text is without its label)."""
    from diffreport import classify, tokens
    from diffreport.compare import load

    paths = _marked_revisions(tmp_path, "（本例）")
    old, new = load(paths[0]), load(paths[1])
    texts, words = beside.key_words(old, new)
    assert texts and words == [tokens.content_word_tuple(t) for t in texts]
    read: list[str] = []
    real = classify.content_word_tuple
    monkeypatch.setattr(classify, "content_word_tuple", lambda t: (read.append(t), real(t))[1])
    compare(*paths, workers=1)
    profiled = sides.texts_looked_up(old) | sides.texts_looked_up(new)
    segmented = set(read) - profiled  # (what profiling had not looked up)
    # (the rest: units whose text the other side has, read for a changed chapter: 13 of 30
    # found beside in this law, 2,872 of 3,495 at real-2m; none if the texts found were not
    # the classifier's)
    assert len(segmented & set(texts)) > 0.3 * len(segmented)


def test_the_words_kept_for_the_measures_are_those_of_the_clauses_lacking_a_twin(tmp_path):
    """Where the child forgets the words it found (most units have a twin), it keeps those
    of the clauses whose text the other document lacks for the measures: content_word_tuple's
    of each such text, once."""
    from diffreport import tokens
    from diffreport.compare import load

    paths = _marked_revisions(tmp_path, "（留用）")
    old, new = load(paths[0]), load(paths[1])
    lacking = beside.lacking_twins(old, new)
    assert not beside.most_lacking(lacking)
    texts, words = beside.clause_words(lacking)
    want = {
        n.text
        for doc, other in ((old, new), (new, old))
        for n in doc.of_kind("clause")
        if n.text not in {m.text for m in other.nodes}
    }
    assert texts and len(texts) == len(set(texts)) and set(texts) == want
    tokens.forget_words()
    assert words == [tokens.content_word_tuple(t) for t in texts]


def test_no_key_terms_words_are_found_for_documents_with_little_in_common():
    # (nearly every unit new or dropped: their key terms are never read)
    from diffreport.compare import load

    laws = sorted(REVISIONS.glob("*.md"))
    one, other = load(laws[0]), load(next(p for p in laws if p.name[:3] != laws[0].name[:3]))
    assert beside.key_words(one, other) == ([], [])
    assert beside.key_words(one, one) == ([], [])  # (every unit has its twin: none lacks)


def _measures_pairs():
    from conftest import SEEDS

    return [
        # a plan rewritten through (97 % of the units' texts lack a twin: no key terms' words)
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
        # a law's revision (the key terms' words sent before the measures)
        (REVISIONS / "生物安全法.2020-10-17.md", REVISIONS / "生物安全法.2024-04-26.md"),
    ]


@linux_two_cores
@pytest.mark.parametrize("fails", [False, True])
@pytest.mark.parametrize(("old", "new"), _measures_pairs())
def test_the_child_pairs_the_measures(old, new, fails, monkeypatch, tmp_path):
    """The child pairs the measures from the aligner's pairings' ids while the parent rates
    and classifies the other levels; the comparison is the one made in one process, whether
    the measures come in time or not, and when the child fails while it pairs them (then
    found here)."""
    alone = compare(old, new, workers=1)
    monkeypatch.setattr(beside, "can_fork", lambda chars, workers: True)
    parent, real, callers = os.getpid(), beside.measure_edits, tmp_path / "callers"

    def measure_edits(*args, **kwargs):
        with callers.open("a") as out:  # (a file: the child's calls are seen here too)
            out.write(f"{os.getpid()}\n")
        if fails and os.getpid() != parent:
            raise RuntimeError("the child's failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(beside, "measure_edits", measure_edits)
    here = _levels_classified_here(monkeypatch)
    before = _children()
    for ready in (True, False):
        here.clear()
        callers.unlink(missing_ok=True)
        monkeypatch.setattr(Staged, "ready", lambda self, ready=ready: ready)
        assert compare(old, new).to_json() == alone.to_json()
        assert len(here) == len(alone.alignments)  # (every pairing classified here)
        calls = callers.read_text().split()
        assert calls[0] != str(os.getpid())  # (the child's)
        assert (str(os.getpid()) in calls) == fails  # (here only once it failed)
    assert _children() == before
