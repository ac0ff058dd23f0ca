"""`batch` resumes: pairs an earlier run finished (same inputs by content, same version) are not
redone, `--force` redoes them, a changed input is redone; the index is written as pairs end and
`summary.csv` has a row per pair."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAW = ROOT / "tests" / "fixtures" / "law"


def _batch(listing: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "diffreport", "batch", str(listing), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    names = ["上海市殡葬管理条例", "上海市检验检测条例"]
    rows = []
    for name in names:
        old, new = sorted(
            LAW.glob(f"{name}.*.md"), key=lambda p: "0" if ".old." in p.name else p.name
        )
        for p in (old, new):
            shutil.copy(p, tmp_path / p.name)
        rows.append(f"{old.name},{new.name}")
    listing = tmp_path / "pairs.csv"
    listing.write_text("old,new\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return listing, tmp_path / "out"


def test_a_second_run_skips_what_is_done_and_force_redoes_it(tmp_path) -> None:
    listing, out = _setup(tmp_path)
    first = _batch(listing, out, "--workers", "1")
    assert first.returncode == 0, first.stderr
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in index["pairs"]] == ["ok", "ok"]
    assert all(len(e["key"]) == 64 for e in index["pairs"])
    outputs = {e["output"]: (out / e["output"]).read_bytes() for e in index["pairs"]}

    again = _batch(listing, out, "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "2 of 2 pairs done by an earlier run" in again.stderr
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert all(e.get("resumed") for e in index["pairs"])
    assert {e["output"]: (out / e["output"]).read_bytes() for e in index["pairs"]} == outputs

    forced = _batch(listing, out, "--workers", "1", "--force")
    assert forced.returncode == 0 and "earlier run" not in forced.stderr
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert not any(e.get("resumed") for e in index["pairs"])
    assert {e["output"]: (out / e["output"]).read_bytes() for e in index["pairs"]} == outputs


def test_a_changed_input_or_a_lost_output_is_redone(tmp_path) -> None:
    listing, out = _setup(tmp_path)
    assert _batch(listing, out, "--workers", "1").returncode == 0
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    first_new = tmp_path / index["pairs"][0]["new"].rsplit("/", 1)[-1]
    first_new.write_text(first_new.read_text(encoding="utf-8") + "\n第九十九条 新增。\n", "utf-8")
    (out / index["pairs"][1]["output"]).unlink()
    again = _batch(listing, out, "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "earlier run" not in again.stderr  # neither pair could be reused
    pairs = json.loads((out / "index.json").read_text(encoding="utf-8"))["pairs"]
    assert pairs[0]["key"] != index["pairs"][0]["key"]
    assert not any(e.get("resumed") for e in pairs)


def test_an_interrupted_run_resumes_from_its_index(tmp_path) -> None:
    listing, out = _setup(tmp_path)
    assert _batch(listing, out, "--workers", "1").returncode == 0
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    index["pairs"] = index["pairs"][:1]  # as if stopped after the first pair
    (out / "index.json").write_text(json.dumps(index), encoding="utf-8")
    again = _batch(listing, out, "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "1 of 2 pairs done by an earlier run" in again.stderr
    pairs = json.loads((out / "index.json").read_text(encoding="utf-8"))["pairs"]
    assert [bool(e.get("resumed")) for e in pairs] == [True, False]


def test_summary_csv_has_a_row_per_pair(tmp_path) -> None:
    listing, out = _setup(tmp_path)
    with listing.open("a", encoding="utf-8") as fh:
        fh.write("missing.md,missing-too.md\n")
    proc = _batch(listing, out, "--workers", "2")
    assert proc.returncode == 2
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8-sig"))))
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))["pairs"]
    for row, entry in zip(rows[:2], index[:2], strict=True):
        assert row["new_title"] == entry["titles"][1] and row["genre"] == entry["genre"]
        block = entry["summary"]["block"]
        assert int(row["changed"]) == block.get("changed", 0)
        assert int(row["dropped"]) == block.get("dropped", 0)
    assert "no such file" in rows[2]["error"]
    # stderr is not a terminal here: the progress bar's final state and the closing line.
    assert "compared 2 of 3 pairs" in proc.stderr
