"""Every `diffreport …` command shown in README.md and docs/*.md runs (as sqlite-utils tests its
docs): placeholders become real files, `a|b` alternatives are each run, outputs go to a
temporary folder. A command the docs show that no longer works fails here."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SEEDS = ROOT / "seeds"
VERSIONS = sorted((ROOT / "tests" / "fixtures" / "law-versions").glob("*.md"))
LAW = ROOT / "tests" / "fixtures" / "law"
# Shown for a cluster that a test cannot stand up here (tests/test_batch_dask.py runs one).
NEEDS_A_CLUSTER = "tcp://HOST"


def shown_commands() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S):
            for line in block.splitlines():
                command = line.split(" #")[0].strip()
                if command.startswith("diffreport ") and NEEDS_A_CLUSTER not in command:
                    out.extend((doc.name, c) for c in _alternatives(command))
    # The same command shown twice (README and docs/cli.md) is run once.
    return list({c: (doc, c) for doc, c in reversed(out)}.values())[::-1]


def _alternatives(command: str) -> list[str]:
    """`--format md|json` → one command per choice."""
    m = re.search(r"(\S+\|\S+)", command)
    if not m:
        return [command]
    return [
        alt
        for choice in m.group(1).split("|")
        for alt in _alternatives(command[: m.start()] + choice + command[m.end() :])
    ]


def _real(command: str, tmp: Path) -> list[str]:
    pairs = tmp / "pairs.csv"
    rows = []
    for name in ("上海市殡葬管理条例", "上海市检验检测条例"):
        files = sorted(LAW.glob(f"{name}.*.md"), key=lambda p: "0" if ".old." in p.name else p.name)
        rows.append(f"{files[0]},{files[-1]}")
    pairs.write_text("\n".join(rows) + "\n", encoding="utf-8")
    words = []
    for word in shlex.split(command.replace("…", "")):
        words += {
            "OLD": [str(SEEDS / "nankai-2024-plan.txt")],
            "NEW": [str(SEEDS / "nankai-2025-plan.txt")],
            "FILE": [str(SEEDS / "nankai-2025-plan.txt")],
            "PAIRS.csv": [str(pairs)],
            "pairs.csv": [str(pairs)],
            "DIR": [str(tmp / "batch")],
            "V1": [str(VERSIONS[0])],
            "V2": [str(VERSIONS[1])],
            "V3": [str(VERSIONS[2])],
            "*.md": [str(p) for p in VERSIONS],
        }.get(word, [word])
    return words


@pytest.mark.parametrize(("doc", "command"), shown_commands())
def test_shown_command_runs(doc: str, command: str, tmp_path: Path) -> None:
    words = _real(command, tmp_path)
    assert not [w for w in words if re.fullmatch(r"[A-Z][A-Z0-9]+", w)], (
        f"unknown placeholder in {command}"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "diffreport", *words[1:]],
        cwd=tmp_path,  # relative outputs (out/briefing.docx) land here
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 1), f"{doc}: {command}\n{proc.stderr[-1500:]}"
    for flag in ("-o", "--report"):
        if flag in words:
            assert (tmp_path / words[words.index(flag) + 1]).exists(), command


def test_the_docs_show_commands() -> None:
    shown = {c.split()[1] for _, c in shown_commands()}
    assert {"diff", "brief", "redline", "show", "batch", "history"} <= shown
