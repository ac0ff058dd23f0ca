"""Bad input gets one line on stderr and exit 2, nothing else; awkward input works; output is
written atomically. Every case runs through the CLI (a real `python -m diffreport` process)
and through the library."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import LAW, ROOT, SEEDS
from fixtures.make_bad_inputs import awkward_inputs, bad_inputs

from diffreport.compare import compare
from diffreport.errors import InputError, OutputError, SettingsError
from diffreport.readers import read
from diffreport.writers.output import check_output_path, write_atomic

PLAN = SEEDS / "nankai-2024-plan.txt"
SMALL = LAW / "上海市殡葬管理条例.old.md"
EARLIER = b"an earlier report that must survive\n"


def run(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None, cwd: Path = ROOT
):
    return subprocess.run(
        [sys.executable, "-m", "diffreport", *args],
        capture_output=True,
        cwd=cwd,
        input=stdin,
        env={**os.environ, **(env or {})},
    )


def run_many(commands: list[list[str]], cwd: Path = ROOT) -> list[subprocess.CompletedProcess]:
    """Each command in its own process, two at a time: start-up (scipy) dominates."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda args: run(*args, cwd=cwd), commands))


def assert_one_line_error(r: subprocess.CompletedProcess, *names: str) -> str:
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("diffreport: error: "), err
    for name in names:
        assert name in err, err
    # what is wrong; what to do
    assert "; " in err.split(": ", 2)[-1], err
    return err


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, data in bad_inputs().items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def awkward_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("awkward")
    for name, data in awkward_inputs().items():
        (folder / name).write_bytes(data)
    return folder


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(bad_inputs()))
def test_library_refuses_bad_input(bad_dir, name):
    with pytest.raises(InputError) as info:
        compare(PLAN, bad_dir / name)
    message = str(info.value)
    assert name in message and "; " in message and "\n" not in message


def test_cli_refuses_bad_input_and_writes_nothing(bad_dir, tmp_path):
    names = sorted(bad_inputs())
    outs = {}
    commands = []
    for i, name in enumerate(names):
        out = tmp_path / f"out{i}" / "report.md"
        out.parent.mkdir()
        out.write_bytes(EARLIER)
        outs[name] = out
        # the bad file second: nothing is written although the first input was fine
        commands.append(["diff", str(PLAN), str(bad_dir / name), "-o", str(out)])
    commands.append(
        ["brief", str(bad_dir / "empty.txt"), str(PLAN), "-o", str(tmp_path / "b.docx")]
    )
    results = run_many(commands)
    for name, r in zip(names, results, strict=False):
        assert_one_line_error(r, name)
        assert r.stdout == b""
        assert outs[name].read_bytes() == EARLIER
        assert folder_listing(outs[name].parent) == ["report.md"]
    assert_one_line_error(results[-1], "empty.txt")
    assert not (tmp_path / "b.docx").exists()


def test_missing_path_and_folder(tmp_path):
    missing, folder = run_many(
        [
            ["diff", str(PLAN), str(tmp_path / "nope.txt")],
            ["show", str(tmp_path)],
        ]
    )
    assert "no such file" in assert_one_line_error(missing, "nope.txt")
    assert "folder" in assert_one_line_error(folder, str(tmp_path))
    with pytest.raises(InputError, match="folder"):
        read(tmp_path)


def test_size_limit_is_configurable(tmp_path, monkeypatch):
    size = PLAN.stat().st_size
    out = tmp_path / "r.json"
    by_option = run("diff", str(PLAN), str(PLAN), "--max-size", "10k", "-o", str(out))
    assert "limit of 10,240 bytes" in assert_one_line_error(by_option, PLAN.name)
    by_env = run("show", str(PLAN), env={"DIFFREPORT_MAX_BYTES": str(size - 1)})
    assert_one_line_error(by_env, "--max-size", "DIFFREPORT_MAX_BYTES")
    # the option wins over the environment, and a limit the file fits is no trouble
    ok = run("show", str(PLAN), "--max-size", "1M", env={"DIFFREPORT_MAX_BYTES": "10"})
    assert ok.returncode == 0, ok.stderr
    bad_env = run("show", str(PLAN), env={"DIFFREPORT_MAX_BYTES": "lots"})
    assert_one_line_error(bad_env, "DIFFREPORT_MAX_BYTES", "lots")
    assert not out.exists()
    # the library honours the same limit and variable
    with pytest.raises(InputError, match="over the limit"):
        read(PLAN, max_bytes=size - 1)
    assert read(PLAN, max_bytes=size).paragraphs
    monkeypatch.setenv("DIFFREPORT_MAX_BYTES", "1k")
    with pytest.raises(InputError, match="limit of 1,024"):
        compare(PLAN, PLAN)
    monkeypatch.setenv("DIFFREPORT_MAX_BYTES", "-5")
    with pytest.raises(SettingsError):
        read(PLAN)


def test_pipe_is_read_within_the_limit(tmp_path):
    text = PLAN.read_bytes()
    ok = run("diff", "/dev/stdin", str(PLAN), "--format", "json", stdin=text)
    assert ok.returncode == 0, ok.stderr
    big = run("show", "/dev/stdin", "--max-size", "1000", stdin=text)
    assert "more than 1,000 bytes" in assert_one_line_error(big, "/dev/stdin")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read any file")
def test_unreadable_file(tmp_path):
    src = tmp_path / "secret.txt"
    src.write_bytes(PLAN.read_bytes())
    src.chmod(0)
    assert "cannot be read" in assert_one_line_error(run("show", str(src)), "secret.txt")


def test_unreadable_file_in_library(tmp_path, monkeypatch):
    src = tmp_path / "secret.txt"
    src.write_bytes(PLAN.read_bytes())

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputError, match="cannot be read .Permission denied."):
        read(src)
    # As root nothing is unreadable, so the CLI's view of it is simulated too.
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    r = cli("show", str(src))
    assert r.exit_code == 2 and "Usage" not in r.output
    assert r.stderr.strip().splitlines() == [
        f"diffreport: error: {src}: cannot be read (Permission denied); check that you may read it"
    ]


def test_debug_shows_the_traceback(bad_dir):
    r = run("--debug", "show", str(bad_dir / "truncated.docx"))
    assert r.returncode != 0
    assert "Traceback" in r.stderr.decode() and "InputError" in r.stderr.decode()


def test_hostile_docx_never_reads_other_files(bad_dir):
    # The entity would pull in /etc/passwd if entities were resolved.
    with pytest.raises(InputError, match="DTD or entities"):
        read(bad_dir / "external-entity.docx")


# --- output paths ---------------------------------------------------------------------------


def test_output_may_not_be_an_input(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(SMALL.read_bytes())
    (tmp_path / "link.txt").symlink_to(src)
    os.link(src, tmp_path / "hard.txt")
    results = run_many(
        [
            ["diff", str(src), str(SMALL), "-o", str(src)],
            ["diff", str(SMALL), str(src), "-o", str(tmp_path / "link.txt")],
            ["brief", str(src), str(SMALL), "-o", str(tmp_path / "hard.txt")],
            ["diff", "a.txt", str(SMALL), "-o", str(tmp_path / "." / "a.txt")],
        ],
        cwd=tmp_path,
    )
    for r in results:
        assert "is one of the inputs" in assert_one_line_error(r)
    assert src.read_bytes() == SMALL.read_bytes()
    with pytest.raises(OutputError, match="one of the inputs"):
        check_output_path(tmp_path / "link.txt", [src])
    with pytest.raises(OutputError, match="a file is in the way"):
        check_output_path(src / "sub" / "r.md", [SMALL])
    with pytest.raises(OutputError, match="a file is in the way"):
        write_atomic(src / "r.md", b"x")


def test_output_folder_is_created_or_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(EARLIER)
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("一、总体要求\n坚持稳中求进。\n", encoding="utf-8")
    made, under_file, is_folder = run_many(
        [
            ["brief", str(tiny), str(tiny), "-o", str(tmp_path / "new" / "deeper" / "b.docx")],
            ["diff", str(SMALL), str(SMALL), "-o", str(blocker / "r.md")],
            ["diff", str(SMALL), str(SMALL), "-o", str(tmp_path)],
        ]
    )
    assert made.returncode == 0, made.stderr
    assert zipfile.is_zipfile(tmp_path / "new" / "deeper" / "b.docx")
    assert "a file is in the way" in assert_one_line_error(under_file, "r.md")
    assert "is a folder" in assert_one_line_error(is_folder, str(tmp_path))
    assert blocker.read_bytes() == EARLIER


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_folder_and_file(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "old.md").write_bytes(EARLIER)
    (locked / "old.md").chmod(0o444)
    locked.chmod(0o555)
    try:
        in_folder, read_only = run_many(
            [
                ["diff", str(SMALL), str(SMALL), "-o", str(locked / "new.md")],
                ["diff", str(SMALL), str(SMALL), "-o", str(locked / "old.md")],
            ]
        )
        assert "cannot write" in assert_one_line_error(in_folder, "new.md")
        assert "read-only" in assert_one_line_error(read_only, "old.md")
        assert folder_listing(locked) == ["old.md"]
    finally:
        locked.chmod(0o755)


def test_unwritable_folder_in_library(tmp_path, monkeypatch):
    out = tmp_path / "r.md"
    out.write_bytes(EARLIER)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    with pytest.raises(OutputError, match="cannot write in"):
        write_atomic(out, b"new")
    assert out.read_bytes() == EARLIER


# --- atomic output --------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failed_write_leaves_the_earlier_output(tmp_path, monkeypatch, failure):
    out = tmp_path / "report.md"
    out.write_bytes(EARLIER)

    def fail(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OutputError if isinstance(failure, OSError) else KeyboardInterrupt):
        write_atomic(out, b"half a report")
    assert out.read_bytes() == EARLIER
    assert folder_listing(tmp_path) == ["report.md"]


def test_writer_failure_leaves_the_earlier_output(tmp_path, monkeypatch):
    """A writer that raises half-way (a bug) is one line, exit 2, and no file is touched."""
    from click.testing import CliRunner

    from diffreport import cli
    from diffreport.writers import docx_brief

    out = tmp_path / "briefing.docx"
    out.write_bytes(EARLIER)

    def broken(*args, **kwargs):
        raise ValueError("writer broke\nhalf-way")

    monkeypatch.setattr(docx_brief, "render", broken)
    r = CliRunner().invoke(cli.main, ["brief", str(PLAN), str(PLAN), "-o", str(out)])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "writer broke half-way" in r.stderr
    assert out.read_bytes() == EARLIER
    assert folder_listing(tmp_path) == ["briefing.docx"]


def test_new_output_gets_normal_permissions(tmp_path):
    out = write_atomic(tmp_path / "r.md", b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    out.chmod(0o640)
    write_atomic(out, b"y")
    assert out.stat().st_mode & 0o777 == 0o640 and out.read_bytes() == b"y"


# --- awkward but valid input ----------------------------------------------------------------
# Run in-process (click's runner over the same CLI code): these are about reading and comparing,
# and a process per case would spend its time loading scipy and jieba.


def cli(*args: str):
    from click.testing import CliRunner

    from diffreport import cli as cli_module

    return CliRunner().invoke(cli_module.main, list(args))


_SAME_TEXT = ["gbk.txt", "utf16-bom.txt", "utf16be-bom.txt", "utf8-bom.txt", "crlf.txt"]


@pytest.mark.parametrize("name", _SAME_TEXT)
def test_encodings_and_line_ends_do_not_matter(awkward_dir, name):
    r = cli("diff", str(awkward_dir / "gb18030.txt"), str(awkward_dir / name), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["nodes"]["old"] == data["nodes"]["new"]
    assert any("Digital economy" in n["text"] for n in data["nodes"]["new"])


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\ufeff]")


def test_control_characters_do_not_reach_the_docx(awkward_dir, tmp_path):
    src = awkward_dir / "controls.txt"
    doc = compare(src, src).new
    assert not any(_CONTROL.search(n.text + n.title) for n in doc.nodes)
    out = tmp_path / "b.docx"
    r = cli("brief", str(src), str(awkward_dir / "crlf.txt"), "-o", str(out))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as zf:
        body = zf.read("word/document.xml").decode()
    assert "Digital economy" in body and not _CONTROL.search(body)


@pytest.mark.parametrize("name", ["one-line.txt", "mixed.md", "controls.txt", "law"])
def test_same_document_twice_is_all_unchanged(awkward_dir, name):
    src = LAW / "上海市殡葬管理条例.old.md" if name == "law" else awkward_dir / name
    r = cli("diff", str(src), str(src), "--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["summary"]
    assert summary["block"] and all(set(c) == {"unchanged"} for c in summary.values() if c)


def test_one_long_line_without_structure(awkward_dir, tmp_path):
    src = awkward_dir / "one-line.txt"
    result = compare(src, awkward_dir / "mixed.md")
    assert len(result.old.of_kind("block")) == 1
    assert not result.same
    r = cli("brief", str(src), str(awkward_dir / "mixed.md"), "-o", str(tmp_path / "b.docx"))
    assert r.exit_code == 0, r.output
    assert zipfile.is_zipfile(tmp_path / "b.docx")


def test_mixed_chinese_and_english(awkward_dir):
    doc = compare(awkward_dir / "mixed.md", awkward_dir / "mixed.md").old
    assert doc.title == "Plan 计划"
    assert any("推动高质量发展 and improve services" in n.text for n in doc.of_kind("sentence"))


def test_traditional_matches_simplified_but_is_shown_as_written(awkward_dir):
    r = cli(
        "diff",
        str(awkward_dir / "traditional.txt"),
        str(awkward_dir / "simplified.txt"),
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert any("總體要求" in n["text"] for n in data["nodes"]["old"])
    assert any("总体要求" in n["text"] for n in data["nodes"]["new"])
    assert all(a["status"] == "unchanged" for a in data["alignments"])


def test_unrelated_documents_are_all_new_and_dropped(tmp_path):
    law = LAW / "上海市检验检测条例.old.md"
    d = cli("diff", str(PLAN), str(law), "--format", "json")
    assert d.exit_code == 1, d.output
    summary = json.loads(d.stdout)["summary"]
    for level in ("section", "block"):
        assert set(summary[level]) <= {"new", "dropped"}, summary[level]
    out = tmp_path / "b.docx"
    b = cli("brief", str(PLAN), str(law), "-o", str(out))
    assert b.exit_code == 0, b.output
    assert zipfile.is_zipfile(out)
    # the briefing says so, instead of presenting a list of edits
    from docx import Document

    assert "很可能不是同一文件的两个版本" in "\n".join(
        p.text for p in Document(str(out)).paragraphs
    )


def test_interrupted_run_leaves_the_earlier_output(tmp_path):
    """Ctrl-C at some point of a real run: the output is the earlier file or the complete new
    one, never a part, and no temporary file is left behind."""
    import signal
    import time

    out = tmp_path / "briefing.docx"
    out.write_bytes(EARLIER)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "diffreport",
            "brief",
            str(PLAN),
            str(SEEDS / "nankai-2025-plan.txt"),
            "-o",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.4)  # while it starts up or compares
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err.decode()
    if proc.returncode == 0:
        assert zipfile.is_zipfile(out)
    else:
        assert proc.returncode == 2 and "interrupted" in err.decode()
        assert out.read_bytes() == EARLIER
    assert folder_listing(tmp_path) == ["briefing.docx"]
