"""History across versions (diffreport.history): tracks agree with pairwise `diff`, nothing is
lost, identity and reversal behave, and the labelled chains (tests/eval/history/seeds.json,
tests/fixtures/law-versions, labelled by reading) come out right."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from diffreport.compare import compare
from diffreport.history import History, history

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LAW = sorted((ROOT / "tests" / "fixtures" / "law-versions").glob("*.md"))
LABELS = json.loads(
    (ROOT / "tests" / "eval" / "history" / "seeds.json").read_text(encoding="utf-8")
)
MIRROR = {"new": "dropped", "dropped": "new", "split": "merged", "merged": "split"}


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def find_block(doc, key: str):
    k = norm(key)
    hits = [n for n in doc.of_kind("block") if k in norm(n.text)]
    assert hits, key
    return min(hits, key=lambda n: len(n.text))


def track_index(h: History, level: str = "block") -> dict[tuple[int, str], object]:
    return {(k, i): t for t in h.at(level) for k, ids in enumerate(t.members) for i in ids}


@pytest.fixture(scope="module")
def seed_chain() -> History:
    return history([ROOT / p for p in LABELS["versions"]])


@pytest.fixture(scope="module")
def law_chain() -> History:
    return history(LAW)


def test_every_unit_of_every_version_is_in_exactly_one_track(seed_chain, law_chain) -> None:
    for h in (seed_chain, law_chain):
        for level in ("section", "block", "clause"):
            for k, doc in enumerate(h.versions):
                held = [i for t in h.at(level) for i in t.members[k]]
                assert sorted(held) == sorted(n.id for n in doc.of_kind(level)), (level, k)


def test_each_step_is_what_diff_says(seed_chain) -> None:
    for k, step in enumerate(seed_chain.steps):
        pair = compare(seed_chain.versions[k], seed_chain.versions[k + 1])
        assert [a.to_dict() for a in step.alignments] == [a.to_dict() for a in pair.alignments]
        tracks = track_index(seed_chain)
        for a in pair.at("block"):
            ids = [(k, i) for i in a.old] or [(k + 1, i) for i in a.new]
            event = next(e for e in tracks[ids[0]].events if e.step == k)
            assert event.status == a.status, a


def test_two_versions_are_one_diff() -> None:
    old, new = SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"
    h, c = history([old, new]), compare(old, new)
    for level in ("section", "block", "clause"):
        assert len(h.at(level)) == len({id(a) for a in c.at(level)})  # one track per pairing
        for t in h.at(level):
            (event,) = t.events
            a = c.alignment_of("old", t.members[0][0]) if t.members[0] else None
            a = a or c.alignment_of("new", t.members[1][0])
            assert (event.status, event.moved) == (a.status, a.moved)
            assert sorted(t.members[0]) == sorted(a.old) and sorted(t.members[1]) == sorted(a.new)


def test_the_same_version_three_times_is_all_unchanged() -> None:
    path = SEEDS / "nankai-2025-plan.txt"
    h = history([path, path, path])
    for t in h.tracks:
        assert [len(m) for m in t.members] == [1, 1, 1]
        assert [e.status for e in t.events] == ["unchanged", "unchanged"]
    assert not any(t.reinstated for t in h.tracks)


def test_reversing_the_versions_mirrors_the_events(law_chain) -> None:
    back = history(list(reversed(LAW)))
    n = len(LAW)
    forward = {tuple(tuple(sorted(m)) for m in t.members): t for t in law_chain.at("block")}
    for t in back.at("block"):
        key = tuple(tuple(sorted(m)) for m in reversed(t.members))
        assert key in forward, key
        mirrored = {(n - 2 - e.step, MIRROR.get(e.status, e.status)) for e in t.events}
        assert mirrored == {(e.step, e.status) for e in forward[key].events}


def _articles(doc) -> dict[str, str]:
    return {n.label: n.id for n in doc.of_kind("block") if re.fullmatch(r"第.+条", n.label)}


# Labelled by reading the three versions (tests/fixtures/law-versions): the 2022-04-04 text
# drops 或者农村居民人均纯收入-style rural/urban distinctions in these six articles; the
# 2022-04-24 text differs from it only in front matter.
AMENDED_ONCE = ["第十二条", "第十五条", "第十七条", "第十八条", "第二十二条", "第二十四条"]


# The last article (第二十四条, on entry into force) once took the `2022年5月1日 施行` line of the
# 2022-04-24 front matter as a part split off it; front matter is now compared apart.
LAST_ARTICLE = "第二十四条"


def test_law_chain_articles(law_chain) -> None:
    tracks = track_index(law_chain)
    first = _articles(law_chain.versions[0])
    assert len(first) == 24
    for label, node_id in first.items():
        t = tracks[(0, node_id)]
        assert [len(m) for m in t.members] == [1, 1, 1], label
        statuses = [e.status for e in t.events]
        expected = ["changed", "unchanged"] if label in AMENDED_ONCE else ["unchanged"] * 2
        assert statuses == expected, (label, statuses)
        assert not t.changed_every_step


def test_law_chain_last_article_is_not_split_by_front_matter(law_chain) -> None:
    t = track_index(law_chain)[(0, _articles(law_chain.versions[0])[LAST_ARTICLE])]
    assert [len(m) for m in t.members] == [1, 1, 1]
    assert [e.status for e in t.events] == ["changed", "unchanged"]


def _edit_article(text: str, label: str, old: str, new: str) -> str:
    start = text.index(label)
    end = text.index("\n", start)
    assert old in text[start:end]
    return text[:start] + text[start:end].replace(old, new, 1) + text[end:]


def test_an_article_amended_twice_has_two_changed_steps(tmp_path) -> None:
    v2 = LAW[1].read_text(encoding="utf-8")
    v3 = _edit_article(v2, "第十二条", "按二十年计算", "按十五年计算")
    (tmp_path / "v3.md").write_text(v3, encoding="utf-8")
    h = history([LAW[0], LAW[1], tmp_path / "v3.md"])
    t = track_index(h)[(0, _articles(h.versions[0])["第十二条"])]
    assert [e.status for e in t.events] == ["changed", "changed"]
    assert t.changed_every_step


def test_a_dropped_article_that_comes_back_is_one_track(tmp_path) -> None:
    full = LAW[1].read_text(encoding="utf-8")
    article = re.search(r"\n第十九条[^\n]*\n", full).group()
    (tmp_path / "v1.md").write_text(full, encoding="utf-8")
    (tmp_path / "v2.md").write_text(full.replace(article, "\n"), encoding="utf-8")
    (tmp_path / "v3.md").write_text(full, encoding="utf-8")
    h = history([tmp_path / f"v{k}.md" for k in (1, 2, 3)])
    key = norm(article)
    (t,) = [
        t
        for t in h.at("block")
        if t.members[0] and norm(h.versions[0].node(t.members[0][0]).text) == key
    ]
    assert [len(m) for m in t.members] == [1, 0, 1]
    assert t.reinstated
    assert [(e.status, e.reinstated) for e in t.events] == [("dropped", False), ("new", True)]
    assert t.to_dict()["reinstated"] is True


def test_an_article_back_after_two_versions_away_is_one_track(tmp_path) -> None:
    full = LAW[1].read_text(encoding="utf-8")
    article = re.search(r"\n第十九条[^\n]*\n", full).group()
    without = full.replace(article, "\n")
    for k, text in enumerate((full, without, without, full), 1):
        (tmp_path / f"v{k}.md").write_text(text, encoding="utf-8")
    h = history([tmp_path / f"v{k}.md" for k in (1, 2, 3, 4)])
    key = norm(article)
    (t,) = [
        t
        for t in h.at("block")
        if t.members[0] and norm(h.versions[0].node(t.members[0][0]).text) == key
    ]
    assert [len(m) for m in t.members] == [1, 0, 0, 1]
    assert t.reinstated


def test_seed_chain_tracks_labelled_by_reading(seed_chain) -> None:
    tracks = track_index(seed_chain)
    right = []
    for keys in LABELS["tracks"]:
        nodes = [
            find_block(seed_chain.versions[k], key) if key else None for k, key in enumerate(keys)
        ]
        found = {tracks[(k, n.id)].id for k, n in enumerate(nodes) if n}
        t = tracks[next((k, n.id) for k, n in enumerate(nodes) if n)]
        absent = all(not t.members[k] for k, key in enumerate(keys) if key is None)
        right.append(len(found) == 1 and absent)
        # The plans' own step (2024 → 2025) is labelled in seed-nankai.json too: always right.
        if keys[1] and keys[2]:
            assert tracks[(1, nodes[1].id)] is tracks[(2, nodes[2].id)], keys
    # Measured 8 of 14 (2026-11-27): the 2021 work report is another genre, and half of its
    # tasks are not yet paired with the 2024 priorities that continue them (docs/accuracy.md).
    assert sum(right) >= 8, right


def test_seed_chain_target_trajectories(seed_chain) -> None:
    found = {}
    for t in seed_chain.targets:
        values = [v.value if v else None for v in t.values]
        for label in LABELS["targets"]:
            if label["indicator"] in t.indicator and values[1:] == label["values"][1:]:
                found[label["indicator"]] = values
    for label in LABELS["targets"]:
        assert label["indicator"] in found, label
    # Each followed from the 2021 target, not from the 2020 outcome the report gives first
    # (fixed-asset investment 1.2% in 2020, target 10% for 2021).
    for label in LABELS["targets"]:
        assert found[label["indicator"]] == label["values"], label


def test_term_trajectories_count_every_version(seed_chain) -> None:
    texts = ["\n".join(n.text for n in d.of_kind("block")) for d in seed_chain.versions]
    assert seed_chain.terms
    for t in seed_chain.terms:
        assert t.counts == [text.count(t.term) for text in texts]
        assert any(t.counts)


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "diffreport", "history", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_json_follows_the_schema(tmp_path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "h.json"
    proc = _cli(*map(str, LAW), "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr  # the versions differ
    data = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads(
        (ROOT / "docs" / "schema" / "diffreport-history-1.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(data, schema)
    assert [len(n) for n in data["nodes"]] == [len(d.nodes) for d in history(LAW).versions]


def test_cli_text_and_markdown(tmp_path) -> None:
    same = _cli(str(LAW[0]), str(LAW[0]))
    assert same.returncode == 0, same.stderr
    md = _cli(*map(str, LAW), "--format", "md")
    assert md.returncode == 1, md.stderr
    assert "| 第十二条 | ~ 第十二条 | = 第十二条 |" in md.stdout
    bad = _cli(str(LAW[0]))
    assert bad.returncode == 2 and "at least two" in bad.stderr
    missing = _cli(str(LAW[0]), str(tmp_path / "nope.md"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc not installed")
def test_history_briefing_opens_in_pandoc_and_libreoffice(tmp_path) -> None:
    out = tmp_path / "history.docx"
    versions = [str(ROOT / p) for p in LABELS["versions"]]
    proc = _cli(*versions, "--format", "docx", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    text = subprocess.run(
        ["pandoc", str(out), "-t", "plain", "--wrap=none"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heading in ("总体情况", "重点任务与条文沿革", "主要指标走势", "提法变化"):
        assert heading in text
    assert "融入协同发展大格局" in text and "地区生产总值" in text
    assert "word/media/" in " ".join(__import__("zipfile").ZipFile(out).namelist())  # charts
    if shutil.which("soffice"):
        conv = subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
            capture_output=True,
            timeout=180,
        )
        assert conv.returncode == 0 and (tmp_path / "history.pdf").stat().st_size > 10_000


def test_library_names_both_functions() -> None:
    code = (
        "import diffreport; h = diffreport.history; c = diffreport.compare;"
        "print(callable(h), callable(c), diffreport.History.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["True", "True", "History"], out.stderr


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed")
def test_history_html_in_a_browser(tmp_path) -> None:
    out = tmp_path / "history.html"
    proc = _cli(*map(str, LAW), "--format", "html", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
        + ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
        + [f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    h = history(LAW)
    # One row per block track, and the amended article coloured as changed in the middle.
    assert dom.count('data-track="b') == len(h.at("block"))
    row = re.search(r"<tr data-track=\"b\d+\">(?:(?!</tr>).)*第十二条(?:(?!</tr>).)*</tr>", dom)
    assert row and row.group().count('class="s-changed"') == 1, row


def test_steps_in_parallel_give_the_same_history() -> None:
    versions = [ROOT / p for p in LABELS["versions"]]
    one = history(versions, workers=1).to_json()
    two = history(versions, workers=2)
    assert two.to_json() == one
    assert all(s.old is two.versions[k] for k, s in enumerate(two.steps))


def test_front_matter_is_counted_apart_and_steady_targets_are_not_listed():
    """The 2022-04-24 text repeats its title in three lines after its history: front matter,
    like the history lines, so not "3 new units in the latest"; the targets table lists the
    targets that change at some step and counts the others (here: none change)."""
    from diffreport.writers.history import render_markdown, shown_targets, summary

    h = history(LAW)
    front = [t for t in h.at("block") if t.front]
    titles = {h.versions[t.last].node(t.members[t.last][0]).text for t in front}
    assert {"最高人民法院", "若干问题的解释"} <= titles
    assert all(not t.front for t in h.at("block") if t.members[0] and "第一条" in str(t))
    s = summary(h)
    assert s["front"] == len(front) and s["tracks"] == len(h.at("block")) - len(front)
    assert s["new_in_latest"] == sum(t.first == 2 and not t.front for t in h.at("block")) == 0
    steady = [t for t in h.targets if all(c in (None, "unchanged") for c in t.changes)]
    assert steady and shown_targets(h) == [t for t in h.targets if t not in steady]
    md = render_markdown(h)
    assert f"{len(steady)} unchanged in every version not shown." in md
    assert f"apart: {len(front)} lines" in md
    assert json.loads(h.to_json())["tracks"][0]["front"] is True


def test_history_json_is_what_json_dumps_writes(law_chain, seed_chain) -> None:
    """orjson writes the history (speed); the bytes are json.dumps's, also when a score is
    too small for orjson to write alike (then json.dumps writes it)."""
    for h in (law_chain, seed_chain):
        expected = json.dumps(h.to_dict(), ensure_ascii=False, indent=2)
        assert h.to_json() == expected
        assert h.to_json_bytes() == expected.encode("utf-8")
        assert h.to_json(indent=None) == json.dumps(h.to_dict(), ensure_ascii=False)
    step = law_chain.steps[0]
    paired = next(a for a in step.alignments if a.score is not None)
    kept = paired.score
    paired.score = 5e-05  # orjson writes 0.00005, json 5e-05
    try:
        assert '"score": 5e-05' in law_chain.to_json()
        assert law_chain.to_json() == json.dumps(law_chain.to_dict(), ensure_ascii=False, indent=2)
    finally:
        paired.score = kept
