"""`batch --report`: the corpus overview's facts (counted per pair) and its HTML and Word pages
as a browser (headless Chromium) and pandoc read them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from diffreport.corpus import gather

ROOT = Path(__file__).resolve().parent.parent
LAW = ROOT / "tests" / "fixtures" / "law"


def _entry(row: int, changed: int, unchanged: int, status: str = "ok") -> dict:
    return {
        "row": row,
        "old": f"a{row}",
        "new": f"b{row}",
        "status": status,
        "same": changed == 0,
        "summary": {"block": {"changed": changed, "unchanged": unchanged}},
        "titles": [f"old {row}", f"new {row}"],
        "seconds": 1.5,
        "output": f"{row}.json",
    }


def _report(new_terms: list[str], raised: list[str]) -> dict:
    return {
        "terms": {"new": [{"term": t} for t in new_terms], "dropped": []},
        "targets": [{"indicator": i, "change": "raised"} for i in raised]
        + [{"indicator": "x", "change": "unchanged"}],
    }


def test_facts_rank_pairs_and_count_terms_once_per_pair() -> None:
    entries = [_entry(1, 1, 9), _entry(2, 8, 2), _entry(3, 0, 5), _entry(4, 0, 0, "error")]
    reports = {
        1: _report(["数字经济", "数字经济"], ["GDP"]),
        2: _report(["数字经济", "低空经济"], ["GDP", "投资"]),
        3: _report([], []),
    }
    facts = gather(entries, reports)
    assert (facts.pairs, facts.compared, facts.same, facts.errors) == (4, 3, 1, 1)
    assert facts.seconds == 6.0
    assert [p.new for p in facts.most_changed] == ["b2", "b1", "b3"]
    assert facts.new_terms == [("数字经济", 2), ("低空经济", 1)]
    assert facts.raised == [("GDP", 2), ("投资", 1)] and facts.lowered == []


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("report")
    pairs = []
    for name in ("上海市殡葬管理条例", "上海市检验检测条例"):
        files = sorted(LAW.glob(f"{name}.*.md"), key=lambda p: "0" if ".old." in p.name else p.name)
        pairs.append(f"{files[0]},{files[-1]}")
    listing = tmp / "pairs.csv"
    listing.write_text("\n".join(pairs) + "\n", encoding="utf-8")
    out = {}
    for suffix in ("html", "docx"):
        out[suffix] = tmp / f"overview.{suffix}"
        proc = subprocess.run(
            [sys.executable, "-m", "diffreport", "batch", str(listing), "--out", str(tmp / suffix)]
            + ["--workers", "1", "--report", str(out[suffix])],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed")
def test_html_overview_in_a_browser(reports, tmp_path) -> None:
    html = reports["html"].read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
        + ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
        + [f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", reports["html"].as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "批量比较概览" in dom and "共 2 对文件" in dom
    assert dom.count("<tr>") >= 3  # header + both pairs in the ranking
    assert "上海市殡葬管理条例" in dom


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc not installed")
def test_word_overview_in_pandoc(reports) -> None:
    text = subprocess.run(
        ["pandoc", "-s", str(reports["docx"]), "-t", "plain", "--wrap=none"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "批量比较概览" in text and "变化最大的文件" in text and "上海市检验检测条例" in text


def test_report_suffix_is_checked_before_work(tmp_path) -> None:
    listing = tmp_path / "pairs.csv"
    listing.write_text("a.md,b.md\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "diffreport", "batch", str(listing), "--out", str(tmp_path / "o")]
        + ["--report", str(tmp_path / "r.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and ".html or .docx" in proc.stderr
    assert not (tmp_path / "o").exists()
