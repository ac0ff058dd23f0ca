"""Bad input gets one line on stderr and exit 2, nothing else; awkward input works; output is
written atomically. Every case runs through the CLI (a real `python -m diffreport` process)
and through the library."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import LAW, ROOT, SEEDS
from fixtures.make_bad_inputs import awkward_inputs, bad_inputs

from diffreport.compare import compare
from diffreport.errors import (
    InputError,
    Interrupted,
    OutputError,
    SettingsError,
    printable,
    stop_like_ctrl_c,
)
from diffreport.readers import read
from diffreport.writers.output import check_output_path, write_atomic, write_output

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
        timeout=300,  # generous; a hang fails the test instead of stalling the suite
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
    made, under_file, is_folder, slash = run_many(
        [
            ["brief", str(tiny), str(tiny), "-o", str(tmp_path / "new" / "deeper" / "b.docx")],
            ["diff", str(SMALL), str(SMALL), "-o", str(blocker / "r.md")],
            ["diff", str(SMALL), str(SMALL), "-o", str(tmp_path)],
            ["diff", str(SMALL), str(SMALL), "-o", str(tmp_path / "folder") + "/"],
        ]
    )
    assert "names a folder" in assert_one_line_error(slash, "folder/")
    assert not (tmp_path / "folder").exists()
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
    # A change of script is a change (exit 1), but a minor one: every unit pairs with its
    # twin, and what differs only in script is `changed` with `minor`.
    assert r.exit_code == 1, r.output
    data = json.loads(r.stdout)
    assert any("總體要求" in n["text"] for n in data["nodes"]["old"])
    assert any("总体要求" in n["text"] for n in data["nodes"]["new"])
    statuses = {(a["status"], a.get("minor", False)) for a in data["alignments"]}
    assert ("changed", True) in statuses
    assert statuses <= {("unchanged", False), ("changed", True)}


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
    elif proc.returncode == -signal.SIGINT:
        # On a loaded machine the signal can land while the interpreter itself is starting,
        # before any of diffreport runs: Python dies of it, as any program would.
        assert out.read_bytes() == EARLIER
    else:
        assert proc.returncode == 2 and "interrupted" in err.decode()
        assert out.read_bytes() == EARLIER
    assert folder_listing(tmp_path) == ["briefing.docx"]


# ============================================================================================
# Issue 10: output, caches, CLI
# Output never destroys what is not a regular file; caches are private and checked; options,
# environment and odd file names give one line or just work.
# ============================================================================================

NEW_PLAN = SEEDS / "nankai-2025-plan.txt"
# Every run is bounded: a hang fails the test instead of the CI job.
LIMIT_SECONDS = 120


def device_id(path: str) -> tuple[bool, int]:
    st = os.lstat(path)
    return stat.S_ISCHR(st.st_mode), st.st_rdev


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_devices_are_written_through_never_replaced(tmp_path):
    before = {dev: device_id(dev) for dev in ("/dev/null", "/dev/full")}
    results = run_many(
        [
            ["diff", str(SMALL), str(PLAN), "--format", "json", "-o", "/dev/null"],
            ["diff", str(SMALL), str(PLAN), "--format", "md", "-o", "/dev/null"],
            ["redline", str(SMALL), str(PLAN), "-o", "/dev/null"],
            ["diff", str(SMALL), str(PLAN), "--format", "json", "-o", "/dev/full"],
            ["brief", str(SMALL), str(PLAN), "-o", "/dev/full"],
        ]
    )
    for r in results[:3]:
        assert r.returncode in (0, 1) and r.stdout == b"", r.stderr
    for r in results[3:]:
        assert "No space left on device" in assert_one_line_error(r, "/dev/full")
    assert {dev: device_id(dev) for dev in before} == before
    assert before["/dev/null"][0] and before["/dev/full"][0]
    # the library does the same
    write_output("/dev/null", b"x")
    with pytest.raises(OutputError, match="No space left"):
        write_output("/dev/full", b"x")
    assert {dev: device_id(dev) for dev in before} == before


def test_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = subprocess.run(
        [sys.executable, "-m", "diffreport", "diff", str(SMALL), str(PLAN), "--format", "json"]
        + ["-o", str(fifo)],
        capture_output=True,
        cwd=ROOT,
        timeout=LIMIT_SECONDS,
    )
    reader.join(LIMIT_SECONDS)
    assert r.returncode == 1, r.stderr
    assert json.loads(got[0])["schema"] == "diffreport/1"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert folder_listing(tmp_path) == ["pipe"]


def test_fifo_input_is_read_once_written_and_refused_when_nothing_writes(tmp_path, monkeypatch):
    import diffreport.readers as readers

    monkeypatch.setattr(readers, "FIFO_WAIT_SECONDS", 0.3)
    fifo = tmp_path / "in.md"
    os.mkfifo(fifo)
    # A writer (as a shell's `<(cat file)` has): read to its end.
    writer = threading.Thread(target=lambda: fifo.write_bytes(SMALL.read_bytes()), daemon=True)
    writer.start()
    assert read(fifo).paragraphs == read(SMALL).paragraphs
    writer.join(LIMIT_SECONDS)
    # Nothing writes (`cat < pipe` would hang for ever; so would the same pipe given twice).
    start = time.monotonic()
    with pytest.raises(InputError, match="named pipe that nothing wrote to"):
        read(fifo)
    assert time.monotonic() - start < LIMIT_SECONDS
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_link_target_is_replaced_in_its_own_folder(tmp_path):
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    (there / "report.json").write_bytes(EARLIER)
    (here / "link.json").symlink_to(there / "report.json")
    (here / "dangling.json").symlink_to(there / "new.json")
    (here / "chain.json").symlink_to("link.json")
    r = run("diff", str(SMALL), str(PLAN), "--format", "json", "-o", str(here / "chain.json"))
    assert r.returncode == 1, r.stderr
    assert (here / "link.json").is_symlink() and (here / "chain.json").is_symlink()
    assert json.loads((there / "report.json").read_bytes())["schema"] == "diffreport/1"
    write_output(here / "dangling.json", b"{}")
    assert (here / "dangling.json").is_symlink() and (there / "new.json").read_bytes() == b"{}"
    # nothing else left in either folder (no temporary file)
    assert folder_listing(here) == ["chain.json", "dangling.json", "link.json"]
    assert folder_listing(there) == ["new.json", "report.json"]
    # a loop of links is one line
    (here / "loop").symlink_to("loop")
    with pytest.raises(OutputError, match="loop of links"):
        write_output(here / "loop", b"x")


def test_dash_and_dev_stdout_write_to_stdout(tmp_path):
    to_file = tmp_path / "r.json"
    dash, docx = run_many(
        [
            ["diff", str(SMALL), str(PLAN), "--format", "json", "-o", "-"],
            ["redline", str(SMALL), str(PLAN), "-o", "-"],
        ]
    )
    run("diff", str(SMALL), str(PLAN), "--format", "json", "-o", str(to_file))
    assert dash.returncode == 1 and dash.stdout == to_file.read_bytes(), dash.stderr
    assert dash.stderr == b""  # no "wrote -"
    assert docx.returncode == 0 and docx.stdout.startswith(b"PK"), docx.stderr
    # /dev/stdout and /dev/fd/1 are this process's stdout: written where it points (here a
    # file, appended to as `>>` asks), never replaced
    log = tmp_path / "log.txt"
    log.write_bytes(b"first line\n")
    for name in ("/dev/stdout", "/dev/fd/1"):
        with log.open("ab") as fh:
            subprocess.run(
                [sys.executable, "-m", "diffreport", "diff", str(SMALL), str(PLAN)]
                + ["--format", "md", "-o", name],
                stdout=fh,
                cwd=ROOT,
                timeout=LIMIT_SECONDS,
            )
    text = log.read_text(encoding="utf-8")
    assert text.startswith("first line\n# ") and text.count("| level |") == 2
    assert folder_listing(tmp_path) == ["log.txt", "r.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_full_or_closed_stdout_is_an_error():
    with open("/dev/full", "wb") as full:
        for args in (["--format", "json"], ["--format", "md"], [], ["-o", "-"]):
            r = subprocess.run(
                [sys.executable, "-m", "diffreport", "diff", str(SMALL), str(PLAN), *args],
                stdout=full,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                timeout=LIMIT_SECONDS,
            )
            assert "No space left" in assert_one_line_error(r, "standard output"), args
    closed = subprocess.run(
        [
            "bash",
            "-c",
            'exec "$@" >&-',
            "-",
            sys.executable,
            "-m",
            "diffreport",
            "show",
            str(SMALL),
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=LIMIT_SECONDS,
    )
    assert "is closed" in assert_one_line_error(closed, "standard output")


def test_broken_pipe_stops_quietly_without_success():
    """`diffreport diff a b | head`: no error line, and the status a program stopped by
    SIGPIPE shows (141), not 0."""
    from diffreport.cli import EXIT_BROKEN_PIPE

    for args in (["--format", "json"], ["--format", "md"], []):
        proc = subprocess.Popen(
            [sys.executable, "-m", "diffreport", "diff", str(PLAN), str(NEW_PLAN), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        proc.stdout.close()  # the reader left before the first byte
        _, err = proc.communicate(timeout=LIMIT_SECONDS)
        assert proc.returncode == EXIT_BROKEN_PIPE == 141, err
        assert err == b"", err


def test_long_output_names(tmp_path):
    name = "r" * 245 + ".json"  # 250 characters: the temporary name must still fit
    too_long = "r" * 300 + ".json"
    ok, refused = run_many(
        [
            ["diff", str(SMALL), str(PLAN), "--format", "json", "-o", str(tmp_path / name)],
            ["diff", str(SMALL), str(PLAN), "-o", str(tmp_path / too_long)],
        ]
    )
    assert ok.returncode == 1, ok.stderr
    assert json.loads((tmp_path / name).read_bytes())["schema"] == "diffreport/1"
    assert "name too long" in assert_one_line_error(refused)
    assert folder_listing(tmp_path) == [name]
    # a Chinese name of 80 characters is 240 bytes: its temporary name is cut by bytes
    chinese = "报" * 80
    write_output(tmp_path / chinese, b"x")
    assert (tmp_path / chinese).read_bytes() == b"x"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_remove_the_temporary_file(tmp_path, monkeypatch, signum):
    out = tmp_path / "report.md"
    out.write_bytes(EARLIER)

    def stopped_while_writing(fd):
        os.kill(os.getpid(), signum)  # arrives while the temporary file exists
        time.sleep(1)

    undo = stop_like_ctrl_c()
    try:
        monkeypatch.setattr(os, "fsync", stopped_while_writing)
        with pytest.raises(Interrupted):
            write_atomic(out, b"half a report")
    finally:
        undo()
    assert signal.getsignal(signum) == signal.SIG_DFL
    assert out.read_bytes() == EARLIER
    assert folder_listing(tmp_path) == ["report.md"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_cli_stopped_by_signal_leaves_the_earlier_output(tmp_path, signum):
    out = tmp_path / "briefing.docx"
    out.write_bytes(EARLIER)
    proc = subprocess.Popen(
        [sys.executable, "-m", "diffreport", "brief", str(PLAN), str(NEW_PLAN), "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.5)  # started up, comparing or writing
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=LIMIT_SECONDS)
    assert "Traceback" not in err.decode()
    if proc.returncode == 0:
        assert zipfile.is_zipfile(out)
    else:
        assert proc.returncode == 2, err
        assert err.decode().strip() == (
            f"diffreport: stopped by {signal.Signals(signum).name}; no file was written"
        )
        assert out.read_bytes() == EARLIER
    assert folder_listing(tmp_path) == ["briefing.docx"]


def test_an_ignored_sighup_stays_ignored():
    """`nohup diffreport …`: SIGHUP is ignored, and stays so."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        undo = stop_like_ctrl_c()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
        undo()
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)


NINES = "9" * 400


def test_huge_or_garbage_size_limits(tmp_path):
    huge, huge_env, garbage, garbage_env = run_many(
        [
            ["show", str(SMALL), "--max-size", NINES],
            ["show", str(SMALL)],
            ["diff", str(SMALL), str(PLAN), "--max-size", "lots"],
            ["show", str(SMALL), "--max-size", "0.0001"],
        ]
    )
    assert huge.returncode == 0, huge.stderr
    assert "--max-size" in assert_one_line_error(garbage, "lots")
    assert "Usage" not in garbage.stderr.decode()
    assert_one_line_error(garbage_env, "less than one byte")
    env = run("show", str(SMALL), env={"DIFFREPORT_MAX_BYTES": NINES})
    assert env.returncode == 0, env.stderr
    # the library: a limit beyond any file is no limit; read in pieces, not all reserved at once
    from diffreport.readers import parse_size

    assert parse_size(NINES) >= 2**62 and parse_size("100G") == 100 * 2**30
    assert read(SMALL, max_bytes=NINES).paragraphs
    assert read(SMALL, max_bytes=2**61).paragraphs  # read(limit + 1) would be a MemoryError


@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "²", NINES, "253402300800"])
def test_source_date_epoch_must_be_a_date(tmp_path, value, monkeypatch):
    from diffreport.writers.ooxml import generation_time

    out = tmp_path / "b.docx"
    r = run("redline", str(SMALL), str(PLAN), "-o", str(out), env={"SOURCE_DATE_EPOCH": value})
    assert "SOURCE_DATE_EPOCH" in assert_one_line_error(r)
    assert not out.exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(SettingsError, match="SOURCE_DATE_EPOCH"):
        generation_time()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    assert generation_time().year == 9999


def test_source_date_epoch_far_ahead_still_writes(tmp_path):
    """Zip timestamps stop at 2107; the documents' dates keep the year 9999."""
    out = tmp_path / "r.docx"
    r = run(
        "redline", str(SMALL), str(PLAN), "-o", str(out), env={"SOURCE_DATE_EPOCH": "253402300799"}
    )
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out) as zf:
        assert {i.date_time[0] for i in zf.infolist()} == {2107}
        assert "9999-12-31" in zf.read("docProps/core.xml").decode()


def test_output_in_a_latin1_terminal():
    """PYTHONIOENCODING=latin-1: JSON is UTF-8 whatever the terminal (RFC 8259); text that
    the encoding cannot hold is one line saying so, before anything is written."""
    env = {"PYTHONIOENCODING": "latin-1"}
    as_json = run("diff", str(SMALL), str(PLAN), "--format", "json", env=env)
    assert as_json.returncode == 1, as_json.stderr
    assert json.loads(as_json.stdout.decode("utf-8"))["schema"] == "diffreport/1"
    for args in (["diff", str(SMALL), str(PLAN), "--format", "md"], ["show", str(SMALL)]):
        r = run(*args, env=env)
        assert "PYTHONIOENCODING=utf-8" in assert_one_line_error(r, "encoding")
        assert r.stdout == b""


def _non_utf8_folder(tmp_path: Path) -> Path:
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9-\xff"))
    folder.mkdir()
    return folder


def test_non_utf8_and_escape_sequences_in_file_names(tmp_path):
    folder = _non_utf8_folder(tmp_path)
    old = folder / "old\x1b[2J\u202e.md"
    old.write_bytes(SMALL.read_bytes())
    out = folder / "r.json"
    as_json, as_text, as_md, missing = run_many(
        [
            ["diff", str(old), str(PLAN), "--format", "json", "-o", str(out)],
            ["diff", str(old), str(PLAN)],
            ["diff", str(old), str(PLAN), "--format", "md"],
            ["show", str(folder / "gone\x1b]0;title\x07.txt")],
        ]
    )
    assert as_json.returncode == 1, as_json.stderr
    shown = json.loads(out.read_bytes())["old"]["path"]
    assert shown.endswith("caf\\xe9-\\xff/old\\x1b[2J\\u202e.md"), shown
    for r in (as_text, as_md):
        assert r.returncode == 1, r.stderr
        assert b"\x1b" not in r.stdout and "\u202e".encode() not in r.stdout
        # (the terminal view wraps long lines)
        assert b"caf\\xe9-\\xff/old\\x1b[2J\\u202e.md" in r.stdout.replace(b"\n", b"")
    err = assert_one_line_error(missing)
    assert "\x1b" not in err and "\x07" not in err and "gone\\x1b]0;title\\x07.txt" in err
    # every writer that names the files: Word (brief, table, redline), HTML, history
    written = run_many(
        [
            ["brief", str(old), str(PLAN), "-o", str(folder / "b.docx")],
            ["table", str(old), str(PLAN), "-o", str(folder / "t.docx")],
            ["diff", str(old), str(PLAN), "--format", "html", "-o", str(folder / "d.html")],
            [
                "history",
                str(old),
                str(PLAN),
                str(old),
                "--format",
                "docx",
                "-o",
                str(folder / "h.docx"),
            ],
        ]
    )
    for r in written:
        assert r.returncode in (0, 1), r.stderr
    with zipfile.ZipFile(folder / "b.docx") as zf:
        assert "caf\\xe9-\\xff/old\\x1b[2J" in zf.read("word/document.xml").decode()
    assert "old\\x1b[2J\\u202e.md" in (folder / "d.html").read_text(encoding="utf-8")
    # the library's one-line messages and names do the same
    assert printable(os.fsdecode(b"a\xff\x1b[0m")) == "a\\xff\\x1b[0m"
    with pytest.raises(InputError) as info:
        read(folder / "x\x1b[31m.txt")
    assert "\x1b" not in str(info.value) and "\\xff" in str(info.value)


def _listing(path: Path, rows: list[tuple[str, str]], encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(f"{o},{n}\r\n" for o, n in rows).encode(encoding))
    return path


def test_batch_with_odd_names_long_fields_and_gbk(tmp_path):
    folder = _non_utf8_folder(tmp_path)
    (folder / "旧.md").write_bytes(SMALL.read_bytes())
    (folder / "新.md").write_bytes(PLAN.read_bytes())
    long_name = "x" * 200_000  # a field over csv's default limit of 128 KB
    # relative paths are taken from the CSV's folder, whose name is not UTF-8; written in GBK
    listing = _listing(
        folder / "pairs.csv", [("old", "new"), ("旧.md", "新.md"), (long_name, "新.md")], "gbk"
    )
    out = tmp_path / "out"
    r = run("batch", str(listing), "--out", str(out), "--workers", "2")
    assert r.returncode == 2, r.stderr  # one pair failed, and says so
    index = json.loads((out / "index.json").read_bytes())
    first, second = index["pairs"]
    assert first["status"] == "ok" and first["old"].endswith("caf\\xe9-\\xff/旧.md")
    assert json.loads((out / first["output"]).read_bytes())["schema"] == "diffreport/1"
    assert second["status"] == "error" and "too long" in second["error"]
    assert len(second["error"]) < 2000  # the middle of a huge name is left out
    assert len(r.stderr.decode().splitlines()[-1]) < 2000


def test_batch_listing_and_out_problems_are_one_line(tmp_path):
    pairs = _listing(tmp_path / "pairs.csv", [(str(SMALL), str(PLAN))])
    a_file = tmp_path / "file"
    a_file.write_bytes(EARLIER)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"a.txt,b\x00.txt\n")
    out_is_file, too_big, missing = run_many(
        [
            ["batch", str(pairs), "--out", str(a_file)],
            ["batch", str(pairs), "--out", str(tmp_path / "o"), "--max-size", "10"],
            ["batch", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")],
        ]
    )
    assert "not a folder" in assert_one_line_error(out_is_file, str(a_file))
    assert "Usage" not in out_is_file.stderr.decode()
    assert "over the limit" in assert_one_line_error(too_big, "pairs.csv")
    assert "no such file" in assert_one_line_error(missing, "none.csv")
    assert a_file.read_bytes() == EARLIER and not (tmp_path / "o").exists()
    # the library: a listing's rows, whatever their size
    from diffreport.batch import parse_pairs

    assert parse_pairs(f"old,new\n{'y' * 300_000},b\n", "p.csv") == [("y" * 300_000, "b")]
    with pytest.raises(InputError, match="row 1 has one column"):
        parse_pairs("just-one\n", "p.csv")


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_pair_that_fails_for_any_reason_is_an_error_entry(tmp_path, monkeypatch, workers):
    """A bug in one pair, and a worker process that dies on another (killed, out of memory,
    a crash in C): both are error entries, and every other pair is compared."""
    from diffreport import batch

    real = batch.compare_one

    def flaky(job):
        if job.number == 2:
            raise ValueError("a bug")
        if job.number == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(job)

    monkeypatch.setattr(batch, "compare_one", flaky)
    rows = [(str(SMALL), str(SMALL))] * 5
    todo = batch.jobs(rows, tmp_path, None)
    started = time.monotonic()
    entries = batch.run(todo, workers)
    assert time.monotonic() - started < LIMIT_SECONDS
    assert [e["status"] for e in entries] == ["ok", "error", "error", "ok", "ok"]
    assert "a bug" in entries[1]["error"]
    assert "killed by SIGKILL" in entries[2]["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        e["output"] for e in entries if e["status"] == "ok"
    )


def test_batch_internal_error_is_an_entry(tmp_path, monkeypatch):
    from diffreport import batch

    def broken(*args, **kwargs):
        raise ValueError("compare broke")

    monkeypatch.setattr("diffreport.compare.compare", broken)
    (entry,) = [batch.compare_one(job) for job in batch.jobs([(SMALL, PLAN)], tmp_path, None)]
    assert (
        entry["status"] == "error" and "internal error: ValueError: compare broke" in entry["error"]
    )


# --- the IDF cache ---------------------------------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """The IDF cache under tmp_path/cache (as $XDG_CACHE_HOME), read afresh."""
    from diffreport import tokens

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tokens.cache_dir.cache_clear()
    tokens.idf_table.cache_clear()
    yield tmp_path / "cache" / "diffreport" / tokens.IDF_CACHE_NAME
    tokens.cache_dir.cache_clear()
    tokens.idf_table.cache_clear()


def _idf_sample() -> tuple[float, float | None, float | None]:
    from diffreport import tokens

    tokens.idf_table.cache_clear()
    table, median = tokens.idf_table()
    return median, table.get("发展"), table.get("殡葬")


def test_idf_cache_is_private_and_checked(fresh_cache):
    expected = _idf_sample()
    folder = fresh_cache.parent
    assert fresh_cache.is_file()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(fresh_cache.stat().st_mode) == 0o600
    good = fresh_cache.read_bytes()
    assert _idf_sample() == expected  # read back from the cache
    # corrupt (one byte), cut short, garbage, or planted with a wrong checksum: rebuilt
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x40
    planted = good[:50] + b"0" * 40 + good[90:]
    for damaged in (bytes(flipped), good[: len(good) // 3], b"\x00" * 100, planted, b""):
        fresh_cache.write_bytes(damaged)
        assert _idf_sample() == expected
        assert fresh_cache.read_bytes() == good
    assert folder_listing(folder) == [fresh_cache.name]


def test_idf_cache_holds_every_word_of_the_table_and_no_other(fresh_cache):
    """The hash table looked up in place gives each of jieba's 350 000 words its own value,
    and the default for a word that is not in the table."""
    from diffreport import tokens

    source = tokens.jieba_data_file(os.path.join("analyse", "idf.txt"))
    expected = dict(line.split(" ") for line in source.read_text(encoding="utf-8").splitlines())
    built = tokens.idf_table()[0]
    tokens.idf_table.cache_clear()
    read = tokens.idf_table()[0]
    assert fresh_cache.is_file() and read is not built
    for table in (built, read):
        assert all(table.get(w) == float(v) for w, v in expected.items())
        assert [table.get(w, -1.0) for w in ("", "不在表中的词语", "zzqx", "发展发展发展")] == [
            -1.0
        ] * 4


def test_idf_cache_is_shared_by_copies_of_the_same_table(fresh_cache, tmp_path, monkeypatch):
    """Every virtual environment installs its own copy of jieba's table: the same content at
    another path with another modification time uses the cache; other content rebuilds it."""
    import shutil

    from diffreport import tokens

    expected = _idf_sample()
    built = fresh_cache.stat().st_mtime_ns
    source = tokens.jieba_data_file(os.path.join("analyse", "idf.txt"))
    copy = tmp_path / "other-venv" / "idf.txt"
    copy.parent.mkdir()
    shutil.copyfile(source, copy)  # a new file: another path, another mtime
    os.utime(copy, ns=(built + 10**9, built + 10**9))
    monkeypatch.setattr(tokens, "jieba_data_file", lambda name: copy)
    assert _idf_sample() == expected
    assert fresh_cache.stat().st_mtime_ns == built  # read, not rebuilt
    with copy.open("a", encoding="utf-8") as f:
        f.write("\n殡葬 1.5")  # other content (the file ends without a newline): rebuilt
    assert _idf_sample()[2] == 1.5
    assert fresh_cache.stat().st_mtime_ns != built


def test_idf_cache_never_writes_through_a_link(fresh_cache, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(EARLIER)
    fresh_cache.parent.mkdir(parents=True, mode=0o700)
    fresh_cache.symlink_to(victim)
    expected = _idf_sample()
    assert victim.read_bytes() == EARLIER
    assert not fresh_cache.is_symlink() and fresh_cache.stat().st_size > 1_000_000
    assert _idf_sample() == expected


def test_idf_cache_refuses_a_shared_folder(fresh_cache, tmp_path):
    """A cache folder others may write to (or a link to one) is not used: the cache goes to a
    private folder for the run, and nothing is written in the shared one."""
    from diffreport import tokens

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    fresh_cache.parent.parent.mkdir(parents=True)
    fresh_cache.parent.symlink_to(shared)
    expected = _idf_sample()
    used = tokens.cache_dir()
    assert used != fresh_cache.parent and not used.is_relative_to(shared)
    assert stat.S_IMODE(used.stat().st_mode) == 0o700
    assert folder_listing(shared) == []
    assert expected[0] > 0


def test_idf_cache_with_no_usable_home(fresh_cache, tmp_path, monkeypatch):
    from diffreport import tokens

    blocker = tmp_path / "file"
    blocker.write_bytes(EARLIER)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder should be
    tokens.cache_dir.cache_clear()
    used = tokens.cache_dir()
    assert _idf_sample()[0] > 0
    assert used.name.startswith("diffreport-cache-") and stat.S_IMODE(used.stat().st_mode) == 0o700
    assert blocker.read_bytes() == EARLIER
    # a relative $XDG_CACHE_HOME is ignored, as the XDG specification says: ~/.cache
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    tokens.cache_dir.cache_clear()
    assert tokens.cache_dir() == tmp_path / "home" / ".cache" / "diffreport"
    assert not Path("relative").exists()


def test_corrupt_idf_cache_through_the_cli(tmp_path):
    from diffreport import tokens

    cache = tmp_path / "diffreport" / tokens.IDF_CACHE_NAME
    cache.parent.mkdir(mode=0o700)
    cache.write_bytes(b"diffreport-cache-2\n" + b"f" * 64 + b"\n" + b"\x00" * 1000)
    r = run(
        "diff", str(PLAN), str(NEW_PLAN), "--format", "json", env={"XDG_CACHE_HOME": str(tmp_path)}
    )
    assert r.returncode == 1, r.stderr
    assert r.stderr == b"" and json.loads(r.stdout)["schema"] == "diffreport/1"
    assert cache.stat().st_size > 1_000_000  # rebuilt


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_batch_row_naming_an_endless_device_ends(tmp_path):
    """/dev/zero never ends: the pair is refused at the size limit, nothing hashes it forever."""
    pairs = _listing(tmp_path / "pairs.csv", [("/dev/zero", str(SMALL)), (str(SMALL), str(SMALL))])
    started = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "diffreport", "batch", str(pairs), "--out", str(tmp_path / "o")]
        + ["--max-size", "1M"],
        capture_output=True,
        cwd=ROOT,
        timeout=LIMIT_SECONDS,
    )
    assert time.monotonic() - started < LIMIT_SECONDS
    assert r.returncode == 2, r.stderr
    first, second = json.loads((tmp_path / "o" / "index.json").read_bytes())["pairs"]
    assert first["status"] == "error" and "over the limit" in first["error"]
    assert second["status"] == "ok"


# =============================================================================================
# Issue 10: hostile inputs
# Each input is made here (in tmp_path) and read through the CLI, in a process of its own whose
# CPU time and peak memory are asserted, and through the library. The bounds are generous (the
# machine is shared): the quadratic behaviour they guard against cost 28 s to minutes.
# =============================================================================================

CPU_SECONDS = 10
PEAK_BYTES = 1 << 30


GNU_TIME = "/usr/bin/time"  # Debian's `time`; .ci/run installs it


def run_measured(*args: str, env: dict[str, str] | None = None):
    """`python -m diffreport ARGS` → (result, CPU seconds, peak resident bytes) of that process
    alone. The peak comes from GNU time, which starts the command from its own small process:
    a child's ru_maxrss (os.wait4) can start from the RSS of the process that forked it, and
    late in a full pytest run that is hundreds of MB (a 175 MB run measured 413 MB). CPU time
    from os.wait4 (RUSAGE_CHILDREN would mix in every earlier child)."""
    import tempfile
    import threading

    timed = os.path.exists(GNU_TIME)
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as peak_file,
    ):
        command = [sys.executable, "-m", "diffreport", *args]
        if timed:
            command = [GNU_TIME, "-f", "%M", "-o", peak_file.name, *command]
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=err, env={**os.environ, **(env or {})}
        )
        watchdog = threading.Timer(300, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())
        peak = usage.ru_maxrss * 1024
        if timed:
            # GNU time reports a signal or exit status on a first line, the %M figure last.
            lines = peak_file.read().split()
            peak = int(lines[-1]) * 1024 if lines and lines[-1].isdigit() else peak
    return result, usage.ru_utime + usage.ru_stime, peak


def assert_bounded(cpu: float, peak: int) -> None:
    assert cpu < CPU_SECONDS, f"{cpu:.1f} s of CPU"
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MB at peak"


def read_timed(path: Path):
    import time

    start = time.process_time()
    src = read(path)
    assert time.process_time() - start < CPU_SECONDS
    return src


def show_json(path: Path, env: dict[str, str] | None = None) -> list[dict]:
    r, cpu, peak = run_measured("show", "--format", "json", str(path), env=env)
    assert r.returncode == 0, r.stderr.decode()
    assert_bounded(cpu, peak)
    return json.loads(r.stdout)["nodes"]


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def pack_docx(path: Path, document: str | bytes, **parts: str | bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", document)
        for part, data in parts.items():
            zf.writestr(f"word/{part}.xml", data)
    return path


def document_xml(body: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    )


# --- linear time, bounded memory -------------------------------------------------------------

_HTML_REPEATS = {"a": "<a ", "close": "</", "pi": "<?", "bang": "<!", "cdata": "<!["}


@pytest.mark.parametrize("unit", sorted(_HTML_REPEATS))
def test_html_of_repeated_markup_is_linear(tmp_path, unit):
    # html.parser took 10 s on 200,000 `</` and over a minute on `<a `.
    path = tmp_path / f"{unit}.html"
    path.write_text("<html><body><h1>标题</h1><p>正文。</p>" + _HTML_REPEATS[unit] * 400_000)
    nodes = show_json(path)
    assert [n["text"] for n in nodes if n["kind"] == "block"] == ["正文。"]
    src = read_timed(path)
    assert [(p.text, p.heading_level) for p in src.paragraphs] == [("标题", 1), ("正文。", None)]


def test_one_line_of_spaced_chinese_is_linear(tmp_path):
    # The space clean-up searched back to the start of the line from every space: 42 s.
    path = tmp_path / "spaced.txt"
    path.write_text("中 " * 800_000, encoding="utf-8")
    nodes = show_json(path)
    assert any(n["text"] == "中" * 800_000 for n in nodes if n["kind"] == "block")
    assert [p.text for p in read_timed(path).paragraphs] == ["中" * 800_000]


def test_millions_of_spaces_cost_bounded_memory(tmp_path):
    # re.sub keeps a piece per match until it is done: 24 MB of `字 ` peaked at 918 MB.
    path = tmp_path / "spaced.txt"
    path.write_text("字 " * 5_300_000, encoding="utf-8")
    r, cpu, peak = run_measured("show", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr.decode()
    assert_bounded(cpu, peak)
    assert peak < 400 << 20, f"{peak / 2**20:.0f} MB at peak for 16 MB of text"


def test_docx_with_60000_lists_is_linear(tmp_path):
    # 60,000 list definitions, and 40,000 paragraphs (under the unit limit) each in a list of
    # its own: the numbering lookup scanned all counters (28 s).
    count, lists = 40_000, 60_000
    numbering = (
        f'<w:numbering xmlns:w="{_W}">'
        + "".join(
            f'<w:abstractNum w:abstractNumId="{i}"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/>'
            f'<w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
            for i in range(lists)
        )
        + "".join(
            f'<w:num w:numId="{i}"><w:abstractNumId w:val="{i}"/></w:num>' for i in range(lists)
        )
        + "</w:numbering>"
    )
    body = "".join(
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{i}"/></w:numPr></w:pPr>'
        f"<w:r><w:t>第{i}项内容。</w:t></w:r></w:p>"
        for i in range(count)
    )
    path = pack_docx(tmp_path / "lists.docx", document_xml(body), numbering=numbering)
    nodes = show_json(path)
    assert sum(n["kind"] == "block" for n in nodes) == count
    paragraphs = read_timed(path).paragraphs
    assert len(paragraphs) == count and {p.numbering for p in paragraphs} == {"1."}
    assert paragraphs[-1].text == f"第{count - 1}项内容。"


def test_500000_short_lines_are_refused_quickly(tmp_path):
    from diffreport.parse import MAX_UNITS

    path = tmp_path / "lines.txt"
    path.write_text("".join(f"第{i}行。\n" for i in range(500_000)), encoding="utf-8")
    r, cpu, peak = run_measured("show", str(path))
    err = assert_one_line_error(r, "lines.txt", "DIFFREPORT_MAX_UNITS")
    assert f"has 500,000 paragraphs, over the limit of {MAX_UNITS:,}" in err
    assert_bounded(cpu, peak)
    with pytest.raises(InputError, match="500,000 paragraphs, over the limit of"):
        compare(path, PLAN)


def test_unit_limit_is_configurable(tmp_path, monkeypatch):
    path = tmp_path / "sixty.txt"
    path.write_text("".join(f"第{i}行内容。\n" for i in range(60)), encoding="utf-8")
    refused, allowed, bad, huge = (
        run("show", str(path), env={"DIFFREPORT_MAX_UNITS": value})
        for value in ("59", "60", "lots", "9" * 400)
    )
    assert "has 60 paragraphs, over the limit of 59" in assert_one_line_error(refused, "sixty.txt")
    assert allowed.returncode == 0 and huge.returncode == 0, (allowed.stderr, huge.stderr)
    err = bad.stderr.decode()
    assert bad.returncode == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "DIFFREPORT_MAX_UNITS" in err and "lots" in err
    monkeypatch.setenv("DIFFREPORT_MAX_UNITS", "59")
    with pytest.raises(InputError, match="over the limit of 59"):
        compare(path, path)
    monkeypatch.setenv("DIFFREPORT_MAX_UNITS", "60")
    assert compare(path, path).same
    monkeypatch.setenv("DIFFREPORT_MAX_UNITS", "-1")
    with pytest.raises(SettingsError, match="DIFFREPORT_MAX_UNITS"):
        compare(path, path)


def _dense_docx(path: Path, unit: bytes, count: int) -> Path:
    """document.xml of `unit` × count after one real paragraph, with random bytes in a comment
    so that the archive stays under the packing-ratio limit: the largest tree allowed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(
                f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>正文。</w:t></w:r></w:p>'.encode()
            )
            fh.write(unit * count)
            fh.write(b"<!--" + os.urandom(300_000).hex().encode() + b"-->")
            fh.write(b"</w:body></w:document>")
    return path


def test_largest_docx_tree_stays_bounded(tmp_path):
    from diffreport.readers.docx import MAX_UNZIPPED_BYTES

    # Millions of empty paragraphs: refused at the unit limit, not walked.
    count = (MAX_UNZIPPED_BYTES - 700_000) // len(b"<w:p/>")
    empty = _dense_docx(tmp_path / "empty-paragraphs.docx", b"<w:p/>", count)
    r, cpu, peak = run_measured("show", str(empty))
    assert "more than" in assert_one_line_error(r, empty.name, "paragraphs")
    assert_bounded(cpu, peak)
    # Millions of empty elements elsewhere: read, within bounds.
    runs = _dense_docx(tmp_path / "empty-runs.docx", b"<w:r/>", count)
    assert [n["text"] for n in show_json(runs) if n["kind"] == "block"] == ["正文。"]
    assert [p.text for p in read_timed(runs).paragraphs] == ["正文。"]


def test_docx_inflation_is_counted_as_it_happens(tmp_path, monkeypatch):
    from diffreport.readers import docx

    # Over the limit in the parts read together (each alone would fit), declared honestly.
    big = "<w:p><w:r><w:t>条文内容。</w:t></w:r></w:p>" * (docx.MAX_UNZIPPED_BYTES // 60)
    path = pack_docx(tmp_path / "big.docx", document_xml(big), styles=" " * (1 << 20) * 20)
    r, cpu, peak = run_measured("show", str(path))
    assert "would unpack to" in assert_one_line_error(r, "big.docx")
    assert_bounded(cpu, peak)
    # What stops the reading is what was inflated: a part larger than the budget left stops
    # at the budget, whatever its header says.
    with zipfile.ZipFile(path) as zf:
        budget = [100_000]
        with pytest.raises(InputError, match="more than"):
            docx.zip_part(zf, "word/document.xml", "big.docx", budget)
        assert budget[0] < 0
    monkeypatch.setattr(docx, "MAX_UNZIPPED_BYTES", 100_000)
    monkeypatch.setattr(docx, "PARTS_READ", ())  # as if the archive declared nothing
    with pytest.raises(InputError, match="would unpack to more than 100,000 bytes"):
        read(path)


# --- right results -----------------------------------------------------------------------------


def test_non_ascii_digit_levels_do_not_crash(tmp_path):
    # `"²".isdigit()` is true and `int("²")` raises.
    body = (
        '<w:p><w:pPr><w:outlineLvl w:val="²"/><w:numPr><w:ilvl w:val="²"/><w:numId w:val="1"/>'
        "</w:numPr></w:pPr><w:r><w:t>第一条 内容。</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:pStyle w:val="S"/></w:pPr><w:r><w:t>第二条 内容。</w:t></w:r></w:p>'
    )
    numbering = (
        f'<w:numbering xmlns:w="{_W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="²">'
        '<w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="0"><w:lvlText w:val="%²."/></w:lvl>'
        '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    )
    styles = (
        f'<w:styles xmlns:w="{_W}"><w:style w:styleId="S"><w:pPr><w:outlineLvl w:val="٣"/>'
        "</w:pPr></w:style></w:styles>"
    )
    path = pack_docx(
        tmp_path / "levels.docx", document_xml(body), numbering=numbering, styles=styles
    )
    nodes = show_json(path)
    assert [n["text"] for n in nodes if n["kind"] == "block"] == ["第一条 内容。", "第二条 内容。"]
    paragraphs = read(path).paragraphs
    assert [(p.text, p.heading_level, p.numbering) for p in paragraphs] == [
        ("第一条 内容。", None, ""),
        ("第二条 内容。", None, ""),
    ]


_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_TEXT_BOX = (
    '<w:p><w:r><w:t>正文段落。</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
    "<w:drawing><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框中的文字。</w:t></w:r>"
    "</w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict>"
    "<v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框中的文字。</w:t></w:r></w:p>"
    "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    "</w:p><w:p><w:r><w:t>下一段。</w:t></w:r></w:p>"
)


def test_text_box_given_twice_is_read_once(tmp_path):
    xml = document_xml(_TEXT_BOX).replace(
        f'xmlns:w="{_W}"',
        f'xmlns:w="{_W}" xmlns:mc="{_MC}" xmlns:v="urn:schemas-microsoft-com:vml"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"',
    )
    path = pack_docx(tmp_path / "textbox.docx", xml)
    texts = [n["text"] for n in show_json(path) if n["kind"] == "block"]
    assert texts == ["正文段落。", "文本框中的文字。", "下一段。"]
    assert [p.text for p in read(path).paragraphs] == texts


_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_bidi_controls_are_removed(tmp_path, suffix):
    # U+202E shows `txt.exe` as `exe.txt`: what is shown must be what was compared.
    text = "第一条 本条例\u202e适用于\u202c本市。\n第二条 文件\u2066名称\u2069如下：\u202dabc\u202c。\n"
    path = tmp_path / f"bidi{suffix}"
    path.write_text(
        text if suffix == ".txt" else "".join(f"<p>{line}</p>" for line in text.splitlines()),
        encoding="utf-8",
    )
    r = run("diff", str(path), str(path), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert not set(_BIDI) & set(r.stdout.decode())
    assert "本条例适用于本市。" in r.stdout.decode()
    paragraphs = [p.text for p in read(path).paragraphs]
    assert paragraphs == ["第一条 本条例适用于本市。", "第二条 文件名称如下：abc。"]


_LAW_TEXT = (
    "第一条 为了规范殡葬管理，推进殡葬改革，根据有关法律、法规，制定本条例。\n"
    "第二条 本条例适用于本市行政区域内的殡葬活动及其管理。\n"
    "第三条 Reform of funeral services, section 3 (English).\n"
) * 10


def _unusual_texts() -> dict[str, bytes]:
    """Valid text that is not plain UTF-8: each must be read, with the text it holds."""
    half = len(_LAW_TEXT) // 2 + 5
    # left by a conversion after punctuation: over 2% of the characters
    private_use = _LAW_TEXT.replace("，", "，\ue0b1").replace("、", "、\ue0b1")
    return {
        "cut-last-character.txt": (_LAW_TEXT + "完").encode()[:-1],
        "half-utf8-half-gbk.txt": _LAW_TEXT[:half].encode() + _LAW_TEXT[half:].encode("gbk"),
        "utf16le-no-bom.txt": _LAW_TEXT.encode("utf-16-le"),
        "utf16be-no-bom.txt": _LAW_TEXT.encode("utf-16-be"),
        "private-use.txt": private_use.encode(),
    }


@pytest.mark.parametrize("name", sorted(_unusual_texts()))
def test_valid_text_is_not_called_binary(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_unusual_texts()[name])
    expected = [line for line in _LAW_TEXT.splitlines()]
    r = run("show", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr.decode()
    texts = [p.text for p in read(path).paragraphs]
    if name == "private-use.txt":  # kept as written
        assert sum(t.count("\ue0b1") for t in texts) / sum(map(len, texts)) > 0.02
        texts = [t.replace("\ue0b1", "") for t in texts]
    assert texts == expected


def test_binary_is_refused_with_the_real_reason(tmp_path):
    nuls = tmp_path / "nuls.txt"
    nuls.write_bytes(bytes(range(256)) * 8)
    broken = tmp_path / "broken.txt"  # no NULs, but byte sequences no encoding explains
    broken.write_bytes(_LAW_TEXT.encode("gbk") + b"\xff\xfe\xff" * 3 + _LAW_TEXT.encode())
    r_nuls, r_broken = run_many([["show", str(nuls)], ["show", str(broken)]])
    assert "binary" in assert_one_line_error(r_nuls, "nuls.txt")
    err = assert_one_line_error(r_broken, "broken.txt")
    where = f"not valid GB18030 (byte 0xff at offset {len(_LAW_TEXT.encode('gbk')):,})"
    assert where in err and "looks like a binary" not in err
    with pytest.raises(InputError, match="binary"):
        read(nuls)
    with pytest.raises(InputError, match=r"is text but not valid GB18030 \(byte 0xff"):
        read(broken)


_BS4_REJECTED = {
    "cdata-open.html": "<html><body><p>正文。</p><![<![<![",
    "bang-nul.html": "<html><body><p>正文。</p><!\x00<![CDATA[",
    "markup-only.html": "<![" * 50,
    "pi-open.html": "<html><p>正文。</p><?xml",
}


def test_html_bs4_rejected_works_or_is_one_line(tmp_path):
    paths = []
    for name, page in _BS4_REJECTED.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(page, encoding="utf-8")
    results = run_many([["show", "--format", "json", str(p)] for p in paths])
    for path, r in zip(paths, results, strict=True):
        if path.name == "markup-only.html":
            assert "has no text" in assert_one_line_error(r, path.name)
            with pytest.raises(InputError, match="has no text"):
                read(path)
        else:
            assert r.returncode == 0, r.stderr.decode()
            assert [p.text for p in read(path).paragraphs] == ["正文。"]


def test_comment_mentioning_doctype_is_not_a_dtd(tmp_path):
    docx_path = pack_docx(
        tmp_path / "comment.docx",
        document_xml(
            "<!-- <!DOCTYPE x [<!ENTITY e 'x'>]> --><w:p><w:r><w:t>正文。</w:t></w:r></w:p>",
            prolog="<!-- a note on <!DOCTYPE -->",
        ),
    )
    html_path = tmp_path / "comment.html"
    html_path.write_text("<html><!-- <!DOCTYPE html> --><body><p>正文。</p></body></html>")
    for r in run_many([["show", str(docx_path)], ["show", str(html_path)]]):
        assert r.returncode == 0, r.stderr.decode()
    assert [p.text for p in read(docx_path).paragraphs] == ["正文。"]
    assert [p.text for p in read(html_path).paragraphs] == ["正文。"]
    # a real DTD, after a comment, is still refused
    dtd = pack_docx(
        tmp_path / "dtd.docx",
        document_xml(
            "<w:p><w:r><w:t>&e;</w:t></w:r></w:p>", '<!-- c --><!DOCTYPE d [<!ENTITY e "x">]>'
        ),
    )
    assert "DTD" in assert_one_line_error(run("show", str(dtd)), "dtd.docx")
    with pytest.raises(InputError, match="DTD or entities"):
        read(dtd)


def test_html_dtd_declares_no_entities(tmp_path):
    """HTML has its own entities only: a DTD in the page neither reads a file nor expands."""
    laughs = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = tmp_path / "entities.html"
    path.write_text(
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol0 "lol">{laughs}]>'
        "<html><body><p>甲&xxe;乙&lol9;丙&amp;丁</p></body></html>"
    )
    r = run("show", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr.decode()
    assert "root:" not in r.stdout.decode()
    texts = [p.text for p in read(path).paragraphs]
    assert "甲&xxe;乙&lol9;丙&丁" in texts and not any("root:" in t or "lollol" in t for t in texts)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_batch_stopped_by_a_signal_leaves_no_temporary_file(tmp_path, signum):
    """SIGTERM to the batch (or Ctrl-C to its process group): the workers stop, each removes
    its temporary file, and the run ends in bounded time with one line."""
    pairs = _listing(tmp_path / "pairs.csv", [(str(PLAN), str(NEW_PLAN))] * 8)
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-m", "diffreport", "batch", str(pairs), "--out", str(out)]
        + ["--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell job has
    )
    time.sleep(4)  # the workers are comparing
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # what Ctrl-C in a terminal does
    else:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=LIMIT_SECONDS)
    assert "Traceback" not in err.decode(), err
    assert proc.returncode in (0, 2), err
    if proc.returncode == 2:
        assert err.decode().strip().splitlines()[-1].startswith("diffreport: "), err
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    # no worker is left behind
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", left.stdout


def test_output_in_pieces_is_written_in_order(tmp_path, capsysbinary):
    # The JSON report is handed over in pieces (Comparison.to_json_parts): a replaced file,
    # a device and standard output get them one after the other.
    pieces = [b'{"a": ', b"[1, 2]", b"}"]
    write_output(tmp_path / "r.json", pieces)
    assert (tmp_path / "r.json").read_bytes() == b'{"a": [1, 2]}'
    write_output("/dev/null", pieces)
    write_output("-", pieces)
    assert capsysbinary.readouterr().out == b'{"a": [1, 2]}'
    assert folder_listing(tmp_path) == ["r.json"]
