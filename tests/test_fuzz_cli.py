"""Bounded fuzzing of the command line: random option values, environment settings, file names
and output destinations. Whatever they are, a command either works (exit 0 or 1) or says what
is wrong in one line on stderr (exit 2) — never a traceback or an "internal error" — and a run
that fails leaves an earlier output file as it was.

In-process (click's runner) for speed, plus a few real processes for what Python reads at
start-up (PYTHONIOENCODING). Longer runs: ``DIFFREPORT_FUZZ_SCALE=50 pytest tests/test_fuzz_cli.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffreport import cli

SCALE = int(os.environ.get("DIFFREPORT_FUZZ_SCALE", "1"))
EARLIER = b"an earlier output that must survive a failed run\n"
OLD_TEXT = "一、总体要求\n坚持稳中求进。\n二、重点任务\n（一）推动高质量发展。\n"
NEW_TEXT = "一、总体要求\n坚持稳中求进，推动高质量发展。\n二、重点任务\n（一）扩大有效投资。\n"


def fuzz(examples: int):
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )


def _text(alphabet=None, max_size: int = 30):
    return st.text(alphabet=alphabet or st.characters(codec="utf-8"), max_size=max_size)


sizes = st.one_of(
    st.sampled_from(["50M", "1k", "0", "-1", "1.5G", "9" * 400, "1e9", "0x10", " 12 kB ", "²", ""]),
    st.from_regex(r"\s*[0-9]{0,30}(\.[0-9]{0,5})?\s*[kKmMgGtT]?[iI]?[bB]?\s*", fullmatch=True),
    _text(),
)
epochs = st.one_of(
    st.sampled_from(["0", "1700000000", "253402300799", "253402300800", "-1", "9" * 400, "abc"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    _text(),
)
# File names as Linux allows them: any bytes but "/" and NUL, also not UTF-8, up to 255 bytes.
names = st.one_of(
    st.binary(min_size=1, max_size=120).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")),
    st.sampled_from([b"a\x1b[31mred.txt", b"\xff\xfe.md", "报告".encode() * 40, b"r" * 250]),
).filter(lambda b: b not in (b".", b".."))
destinations = st.sampled_from(
    ["file", "-", "/dev/null", "folder", "under-a-file", "link", "dangling-link", "input"]
)


def _destination(kind: str, folder: Path, name: bytes, old: Path) -> str:
    target = Path(os.fsdecode(bytes(folder) + b"/" + name))
    if kind == "file":
        return str(target)
    if kind in ("-", "/dev/null"):
        return kind
    if kind == "folder":
        return str(folder)
    if kind == "under-a-file":
        return str(old / "report.md")
    if kind == "link":
        real = folder / "real-target"
        real.write_bytes(EARLIER)
        link = folder / "link"
        link.symlink_to(real)
        return str(link)
    if kind == "dangling-link":
        link = folder / "dangling"
        link.symlink_to(folder / "nowhere" / "new.json")
        return str(link)
    return str(old)


def _check(result, *, earlier: list[Path], index: Path | None = None) -> None:
    err = result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, err, result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in err and "internal error" not in err, err
    if result.exit_code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines, "exit 2 without a word"
        if lines[-1].startswith("Error:"):  # click's usage errors (a bad choice of ours)
            return
        if index is not None and index.exists():  # batch: progress, summary, failed pairs
            assert all(line.startswith("diffreport: error: ") for line in lines[2:]), err
            return
        assert len(lines) == 1 and lines[0].startswith("diffreport: "), err
        assert "\x1b" not in err
        for path in earlier:
            assert path.read_bytes() == EARLIER, path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fuzz-cli-inputs")
    (folder / "old.txt").write_text(OLD_TEXT, encoding="utf-8")
    (folder / "new.txt").write_text(NEW_TEXT, encoding="utf-8")
    return folder / "old.txt", folder / "new.txt"


@fuzz(40)
@given(
    command=st.sampled_from(["diff", "brief", "redline", "table", "show", "batch", "history"]),
    fmt=st.sampled_from(["text", "md", "json", "html"]),
    max_size=st.none() | sizes,
    env_size=st.none() | sizes,
    epoch=st.none() | epochs,
    destination=destinations,
    name=names,
    input_name=st.none() | names,
)
def test_cli_options_and_environment(
    tmp_path_factory, inputs, command, fmt, max_size, env_size, epoch, destination, name, input_name
):
    folder = tmp_path_factory.mktemp("fuzz-cli")
    old, new = inputs
    if input_name is not None:
        renamed = Path(os.fsdecode(bytes(folder) + b"/in-" + input_name[:200]))
        renamed.write_bytes(old.read_bytes())
        old = renamed
    out = _destination(destination, folder, name, old)
    earlier = []
    if destination == "file":
        Path(out).write_bytes(EARLIER)
        earlier.append(Path(out))
    env = {"DIFFREPORT_MAX_BYTES": env_size, "SOURCE_DATE_EPOCH": epoch}
    env = {k: v for k, v in env.items() if v is not None and "\0" not in v}
    args: list[str]
    if command == "show":
        args = ["show", str(old)]
    elif command == "batch":
        listing = folder / "pairs.csv"
        listing.write_text(f'"{old}","{new}"\n', encoding="utf-8", errors="surrogateescape")
        args = ["batch", str(listing), "--out", out if destination != "-" else str(folder / "o")]
        args += ["--workers", "1"]
    elif command == "diff":
        args = ["diff", str(old), str(new), "--format", fmt, "-o", out]
    elif command == "history":
        args = ["history", str(old), str(new), str(old), "--format", fmt.replace("html", "md")]
        args += ["-o", out]
    else:
        args = [command, str(old), str(new), "-o", out]
    if max_size is not None and "\0" not in max_size:
        args += ["--max-size", max_size]
    result = CliRunner().invoke(cli.main, args, env=env)
    index = Path(args[3]) / "index.json" if command == "batch" else None
    _check(result, earlier=earlier, index=index)
    if command == "batch" and index.exists() and max_size is None and env_size is None:
        # every pair is compared (the names in the listing are the files' own bytes)
        assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "encoding", ["latin-1", "ascii", "utf-16", "cp1252:strict", "gbk", "utf-8:surrogateescape"]
)
def test_cli_in_any_stdout_encoding(inputs, encoding):
    """What Python reads at start-up needs a real process: one per encoding, bounded."""
    old, new = inputs
    for args in (["diff", str(old), str(new)], ["show", str(old)]):
        r = subprocess.run(
            [sys.executable, "-m", "diffreport", *args],
            capture_output=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": encoding},
            timeout=120,
        )
        err = r.stderr.decode("utf-8", "replace")
        assert r.returncode in (1, 0, 2), err
        assert "Traceback" not in err and "internal error" not in err, err
        if r.returncode == 2:
            assert len(err.strip().splitlines()) == 1 and "PYTHONIOENCODING" in err, err
            assert r.stdout == b""
