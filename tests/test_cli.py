from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

OLD = str(SEEDS / "nankai-2024-plan.txt")
NEW = str(SEEDS / "nankai-2025-plan.txt")


def run(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "diffreport", *args], capture_output=True, text=True, cwd=cwd
    )


def test_diff_exit_codes(tmp_path):
    assert run("diff", OLD, OLD, "--format", "json").returncode == 0
    r = run("diff", OLD, NEW, "--format", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["schema"] == "diffreport/1"
    # A file gets orjson's bytes directly; they are what stdout shows, as UTF-8.
    out = tmp_path / "diff.json"
    assert run("diff", OLD, NEW, "--format", "json", "-o", str(out)).returncode == 1
    assert out.read_bytes() == r.stdout.removesuffix("\n").encode("utf-8")
    missing = run("diff", OLD, str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_diff_text_and_md():
    r = run("diff", OLD, NEW)
    assert r.returncode == 1 and "抢抓协同发展重大机遇" in r.stdout
    md = run("diff", OLD, NEW, "--format", "md")
    assert md.stdout.startswith("# ") and "| level |" in md.stdout


def test_show_lists_priorities():
    r = run("show", NEW)
    assert r.returncode == 0
    for title in ("融入协同发展大格局", "坚守安全稳定防线", "2025年主要预期指标"):
        assert title in r.stdout


def test_brief_writes_docx(tmp_path):
    out = tmp_path / "sub" / "b.docx"
    r = run("brief", OLD, NEW, "-o", str(out))
    assert r.returncode == 0, r.stderr
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "摘要" in text


def test_output_cannot_overwrite_input(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("第一段。\n", encoding="utf-8")
    r = run("diff", str(src), str(src), "-o", str(src))
    assert r.returncode == 2
    assert src.read_text(encoding="utf-8") == "第一段。\n"


def test_garbage_collector_resumes_after_a_command(tmp_path):
    """The CLI pauses the cyclic collector for a comparison; commands run in-process (as
    here) must leave it running, also when they fail."""
    import gc

    from click.testing import CliRunner

    from diffreport import cli

    seen: list[bool] = []
    original = cli.read_and_compare

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        seen.append(gc.isenabled())
        return result

    runner = CliRunner()
    cli.read_and_compare = spy
    try:
        ok = runner.invoke(
            cli.main, ["diff", OLD, NEW, "--format", "json", "-o", str(tmp_path / "d.json")]
        )
        bad = runner.invoke(cli.main, ["diff", OLD, str(tmp_path / "missing.txt")])
    finally:
        cli.read_and_compare = original
    assert ok.exit_code == 1 and bad.exit_code == 2
    assert seen == [False]
    assert gc.isenabled()


def test_command_ends_without_freeing_yet_flushes_and_cleans_up(tmp_path):
    """The process ends right after its output (diffreport.cli._done): the output is whole,
    the --profile lines and `wrote` are on stderr, the exit status is the command's, and the
    exit handlers ran (the private cache folder made when no cache folder is usable is gone)."""
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "file"), "TMPDIR": str(tmp_path)}
    (tmp_path / "file").write_text("a file where the cache folder would go")
    cmd = [sys.executable, "-m", "diffreport", "diff", OLD, NEW, "--format", "json", "--profile"]
    r = subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT)
    assert r.returncode == 1
    assert json.loads(r.stdout)["schema"] == "diffreport/1" and r.stdout.endswith(b"}\n")
    stages = [line.split(":")[0].strip() for line in r.stderr.decode().splitlines()]
    assert stages[0] == "read" and stages[-2:] == ["write", "total"]
    out = tmp_path / "brief.docx"
    r = subprocess.run(
        [sys.executable, "-m", "diffreport", "brief", OLD, NEW, "-o", str(out)],
        capture_output=True,
        env=env,
        cwd=ROOT,
    )
    assert r.returncode == 0 and out.stat().st_size > 0 and b"wrote" in r.stderr
    assert not list(tmp_path.glob("diffreport-cache-*"))


def test_show_writes_a_large_tree_as_plain_lines_in_linear_time(tmp_path):
    # More nodes than SHOW_RICH_NODES: the same guides as rich's tree, one line per node, every
    # block once, under its section (the time is measured in docs/limits.md: 100,000 blocks
    # 12.9 s → 2.9 s CPU, linear from 25,000).
    from diffreport.cli import SHOW_RICH_NODES

    n = SHOW_RICH_NODES + 10
    text = "".join(
        (f"## Part {i}\n\n" if i % 1000 == 0 else "") + f"Item {i} text here.\n\n" for i in range(n)
    )
    path = tmp_path / "long.md"
    path.write_text(text, encoding="utf-8")
    r = run("show", str(path))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    blocks = [line for line in lines if line.endswith(tuple(f" b{k}" for k in range(1, n + 1)))]
    assert len(blocks) == n == len({line.rsplit(" ", 1)[1] for line in blocks})
    parts = [line for line in lines[1:] if "Part " in line]
    assert len(parts) == (n + 999) // 1000
    assert parts[0].startswith(("├── ", "└── "))
    assert lines[lines.index(parts[0]) + 1].startswith(("│   ├── ", "    ├── "))
    assert lines[-1].startswith("└── ") or lines[-1].startswith("    └── ")


def test_tree_lines_nest_with_rich_guides():
    from diffreport.cli import guide_lines

    got = guide_lines(
        [
            (None, "s1", "A"),
            ("s1", "b1", "a1"),
            ("s1", "b2", "a2"),
            (None, "s2", "B"),
            ("s2", "b3", "b1"),
        ]
    )
    assert got == ["├── A", "│   ├── a1", "│   └── a2", "└── B", "    └── b1"]


_FAULTS_SCRIPT = """
import resource, sys
from diffreport import cli
if sys.argv[1] == "kept":
    cli._keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):  # 24 MB of 1 MB blocks (each page written), then freed, five times
    blocks = [b"x" * (1 << 20) for _ in range(24)]
    del blocks
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_the_console_script_keeps_freed_memory_for_reuse():
    """Freed memory stays with the process for its next blocks: 24 MB made and freed five
    times faults its pages in once, not five times (glibc trims the heap's free top)."""
    faults = {
        how: int(subprocess.check_output([sys.executable, "-c", _FAULTS_SCRIPT, how], text=True))
        for how in ("default", "kept")
    }
    pages = 24 * (1 << 20) // resource.getpagesize()
    assert faults["default"] > 3 * pages  # (the trimming this undoes)
    assert faults["kept"] < 1.5 * pages
