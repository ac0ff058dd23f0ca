"""Command line: a thin layer over the library (``diffreport.compare`` and the writers).

diffreport diff OLD NEW [--format text|md|json|html]   exit 0 same, 1 different, 2 trouble
diffreport brief [OLD NEW] [-o out/briefing.docx]
diffreport redline OLD NEW -o FILE.docx
diffreport table OLD NEW -o 对照表.docx              修改前后对照表 (side by side)
diffreport batch PAIRS.csv --out DIR                one JSON per pair, all cores
diffreport show FILE
diffreport history V1 V2 … [--format text|md|json|docx]   tracks through three or more versions
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import NoReturn

import click

from .errors import DiffreportError, Interrupted, SettingsError, printable, stop_like_ctrl_c

INDEX_EVERY_SECONDS = 5.0  # how often a running batch rewrites index.json (it is atomic)
PROGRESS_LINE_EVERY = 100  # pairs between progress lines when stderr is not a terminal
# `show` draws a tree of more nodes than this as plain lines: rich takes some 0.1 ms a node
# (half a second here), and its wrapping and colour are of little use on so long a listing.
SHOW_RICH_NODES = 5_000
SEED_OLD = "seeds/nankai-2024-plan.txt"
SEED_NEW = "seeds/nankai-2025-plan.txt"

# `diffreport diff a b | head`: the reader left. Stop quietly with the status a program stopped
# by SIGPIPE shows in a shell (128 + 13), as cat or grep do: no error line, and no success.
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE is 13 on Linux and macOS


def _max_bytes(value: int | None) -> int | None:
    """--max-size if given; else None, and the reader applies DIFFREPORT_MAX_BYTES or 50 MB."""
    return value


class _Size(click.ParamType):
    name = "SIZE"

    def convert(self, value, param, ctx) -> int:
        from .readers import parse_size

        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except DiffreportError as exc:
            # One line like every other bad setting, not click's usage page.
            raise SettingsError(f"--max-size: {exc}") from None


class _Group(click.Group):
    """Turns every error into one line on stderr and exit status 2; --debug shows the traceback."""

    def invoke(self, ctx: click.Context):
        # SIGTERM and SIGHUP stop a run as Ctrl-C does: a temporary output file is removed.
        ctx.call_on_close(stop_like_ctrl_c())
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # usage errors, --help, --version: click prints them itself
        except DiffreportError as exc:
            _fail(ctx, exc, f"error: {exc}")
        except (MemoryError, RecursionError) as exc:
            _fail(
                ctx,
                exc,
                f"error: input too large or too deeply nested ({type(exc).__name__});"
                " try smaller files, or --debug to see where",
            )
        except BrokenPipeError:
            _stop_on_broken_pipe()
        except KeyboardInterrupt as exc:
            how = (
                f"stopped by {signal.Signals(exc.signum).name}"
                if isinstance(exc, Interrupted)
                else "interrupted"
            )
            if ctx.invoked_subcommand == "batch":  # its index lists what finished (resumable)
                _say(f"diffreport: {how}; the index lists the pairs finished so far")
            else:
                _say(f"diffreport: {how}; no file was written")
            sys.exit(2)
        except Exception as exc:
            from .errors import one_line

            _fail(
                ctx,
                exc,
                f"internal error: {one_line(f'{type(exc).__name__}: {exc}')};"
                " this is a bug, please report it with the output of --debug",
            )


def _say(message: str) -> None:
    """A line on stderr; a closed or full stderr must not turn into a second error."""
    try:
        click.echo(message, err=True)
    except OSError:
        pass


def _stop_on_broken_pipe() -> NoReturn:
    # Python flushes stdout at exit and would complain about the pipe once more.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
    sys.exit(EXIT_BROKEN_PIPE)


def _fail(ctx: click.Context, exc: BaseException, message: str) -> NoReturn:
    """One line on stderr and exit status 2, or the traceback with --debug."""
    if ctx.obj and ctx.obj.get("debug"):
        raise exc
    _say(f"diffreport: {message}")
    sys.exit(2)


# Set by :func:`run` (the console script, ``python -m diffreport``): the process exists for
# this one command. Never set when a host (tests, a notebook) calls ``main``.
_OWN_PROCESS = False


def run() -> None:
    """The console script: :func:`main` in a process of its own, which :func:`_done` may end
    without freeing what the command built."""
    global _OWN_PROCESS
    _OWN_PROCESS = True
    _keep_freed_memory()
    main()


# glibc's mallopt parameters (malloc.h) and the values a process of its own runs with. By
# default glibc gives freed memory at the heap's top back to the system once 128 KB lie free
# there, and serves each block from 128 KB up (a threshold that rises with use) by an mmap of
# its own: a comparison's numpy temporaries of 1-6 MB, made and freed again and again, then
# fault in every page afresh (real-2m: ~194,000 page faults, 0.55 s of system time; with
# the values below ~172,000 and 0.34-0.37 s, the peak unchanged).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TRIM_THRESHOLD = 32 << 20  # at most this much freed memory kept (1 GB: real-2m's peak +35 MB)
_MMAP_THRESHOLD = 32 << 20  # glibc's own ceiling for its rising threshold (64-bit)


def _keep_freed_memory() -> None:
    """Have glibc's malloc keep freed memory for reuse (see above); elsewhere nothing."""
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    except (OSError, AttributeError):  # (a libc without mallopt: defaults kept)
        pass


def _done(status: int) -> NoReturn:
    """End a command whose output is written, with exit ``status``.

    In a process of its own (:func:`run`), once the command's contexts are closed (the
    ``--profile`` lines, the signal handlers, the collector), standard output and error are
    flushed and the exit handlers have run (a private cache folder is removed), the process
    ends at once: the interpreter would otherwise free a comparison's millions of objects one
    by one, for nothing. A host that called :func:`main` gets ``sys.exit`` as before."""
    if not _OWN_PROCESS:
        sys.exit(status)
    # The collector, resumed when the context closes, would re-scan everything (0.4 s on
    # 0.45 MB a side): what exists now is frozen out of its sight.
    gc.freeze()
    ctx: click.Context | None = click.get_current_context()
    while ctx is not None:
        ctx.close()
        ctx = ctx.parent
    # A reader that left raises BrokenPipeError here: handled by _Group.invoke as before.
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(status)


def _emit(data: bytes | Sequence[bytes]) -> None:
    """Bytes to standard output: a closed or full stdout is an error (one line, exit 2), a
    pipe whose reader left stops the run (:data:`EXIT_BROKEN_PIPE`)."""
    from .writers.output import STDOUT, write_output

    write_output(STDOUT, data)


def _emit_text(text: str) -> None:
    """Text in standard output's encoding (``PYTHONIOENCODING``); one line if it cannot
    hold the text, before anything is written."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        raise SettingsError(
            f"standard output's encoding ({encoding}) cannot show {char!r} (U+{ord(char):04X});"
            " set PYTHONIOENCODING=utf-8 or write to a file with -o"
        ) from None
    _emit(data)


def _emit_rich(draw: Callable) -> None:
    """What ``draw`` prints on a rich console, as it would print on this stdout (colour and
    width when it is a terminal), written by :func:`_emit_text`."""
    from rich.console import Console

    live = Console(highlight=False)
    console = Console(
        file=io.StringIO(),
        highlight=False,
        force_terminal=live.is_terminal,
        color_system=live.color_system,
        no_color=live.no_color,
        width=live.width,
    )
    draw(console)
    _emit_text(console.file.getvalue())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="diffreport")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Compare two versions of a plan, report or statute: what continued, changed, is new, was dropped."""
    ctx.obj = {"debug": debug}


_max_size = click.option(
    "--max-size",
    type=_Size(),
    default=None,
    help="Largest input, e.g. 50M or 200000000 (default: $DIFFREPORT_MAX_BYTES or 50M).",
)
# Inputs are checked by the reader, which says what is wrong in one line (click would print
# its usage text for an unreadable file).
_INPUT = click.Path(readable=False)
_profile = click.option("--profile", is_flag=True, help="Print per-stage timings to stderr.")


def _pause_gc() -> None:
    """Pause Python's cyclic garbage collector until the command ends.

    A comparison builds millions of objects that live until the end and form almost no
    reference cycles (742 objects' worth on law-x9 and on synthetic-10k alike), so the
    collector only re-scans them: 0.5 s of law-x9's 5 s, 3.9 s of synthetic-10k's 27 s.
    Resumed when the command's context closes (tests invoke commands in one process)."""
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)


def read_and_compare(
    old: str,
    new: str,
    max_size: int | None,
    profile: bool,
    output: str | None = None,
    meanwhile: Callable | None = None,
):
    import time

    from .readers import read

    _pause_gc()

    if output:
        # Refuse an output that is an input or a folder now, not after the comparison.
        from .writers.output import check_output_path

        check_output_path(output, [old, new])

    # Read both inputs before importing the comparison (scipy): bad input is reported at once.
    start = time.perf_counter()
    sources = [read(path, max_bytes=_max_bytes(max_size)) for path in (old, new)]
    read_time = time.perf_counter() - start
    from .compare import compare

    result = compare(*sources, meanwhile=meanwhile)
    result.timings = {"read": read_time, **result.timings}
    if profile:
        # Printed when the command ends (also through sys.exit): rendering and writing the
        # output are the last stage.
        done = time.perf_counter()

        def report() -> None:
            timings = {**result.timings, "write": time.perf_counter() - done}
            for stage, seconds in timings.items():
                _say(f"{stage:>14}: {seconds * 1000:8.1f} ms")
            _say(f"{'total':>14}: {sum(timings.values()) * 1000:8.1f} ms")

        click.get_current_context().call_on_close(report)
    return result


def _write(out: str, data: bytes | Sequence[bytes], inputs: list[str]) -> None:
    from .writers.output import STDOUT, check_output_path, write_output

    write_output(check_output_path(out, inputs), data)
    if out != STDOUT:
        _say(f"wrote {printable(out)}")


_OUTPUT_HELP = "Write to this file (- for stdout; a device, FIFO or link is written through)."


@main.command()
@click.argument("old", type=_INPUT)
@click.argument("new", type=_INPUT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json", "html"]),
    default="text",
    show_default=True,
    help="html: one self-contained side-by-side page.",
)
@click.option("-o", "--output", type=click.Path(), default=None, help=_OUTPUT_HELP)
@click.option(
    "--all", "show_all", is_flag=True, help="Also list unchanged blocks, and expand minor changes."
)
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True)
@_max_size
@_profile
def diff(
    old: str,
    new: str,
    fmt: str,
    output: str | None,
    show_all: bool,
    lang: str,
    max_size: int | None,
    profile: bool,
) -> None:
    """Show what changed from OLD to NEW. Exit 0 if the same, 1 if different, 2 on trouble."""
    if fmt == "html":
        _check_settings()  # the page states its generation date
    meanwhile = None
    if fmt == "json":  # the long parts encoded while the comparison waits for its side work
        from .result import json_parts_ahead as meanwhile
    result = read_and_compare(old, new, max_size, profile, output, meanwhile)
    status = 0 if result.same else 1
    if fmt == "json":
        # JSON is UTF-8 whatever the terminal's encoding (RFC 8259).
        data = result.to_json_parts(result.prepared)  # (pieces: never the whole report)
        if output:
            _write(output, data, [old, new])
        else:
            _emit([*data, b"\n"])
        _done(status)
    from .writers.text import render as render_text

    if fmt == "text" and not output:
        _emit_rich(lambda console: render_text(result, console, show_unchanged=show_all))
        _done(status)
    if fmt == "md":
        from .writers.markdown import render

        text = render(result)
    elif fmt == "html":
        from .writers.html import render

        text = render(result, lang=lang)
    else:
        from rich.console import Console

        console = Console(record=True, width=120, file=io.StringIO())
        render_text(result, console, show_unchanged=show_all)
        text = console.export_text()
    if output:
        _write(output, text.encode("utf-8"), [old, new])
    else:
        _emit_text(text + "\n")
    _done(status)


def _writer_setup(writer: str, lang: str, **view) -> Callable:
    """A Word writer's set-up (its module imported, its language, wording and empty document)
    and what it can make of the documents and alignments alone (``prepare_ahead``; ``view``:
    the 对照表's level and changed_only), for ``compare(meanwhile=…)``: made while the
    comparison waits for its side work, time the process would otherwise spend waiting."""

    def ready(old, new, alignments):
        if writer == "brief":
            from .writers.docx_brief import prepare_ahead
        else:
            from .writers.docx_table import prepare_ahead
        return prepare_ahead(old, new, alignments, lang, **view)

    return ready


def _check_settings() -> None:
    """Settings a Word writer uses, checked before the comparison rather than after."""
    from .writers.dates import generation_time

    generation_time()


@main.command()
@click.argument("old", required=False, type=_INPUT)
@click.argument("new", required=False, type=_INPUT)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default="out/briefing.docx",
    show_default=True,
    help=_OUTPUT_HELP,
)
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True)
@_max_size
@_profile
def brief(
    old: str | None, new: str | None, output: str, lang: str, max_size: int | None, profile: bool
) -> None:
    """Write a Word briefing on what changed (default: the seed plans, 2024 → 2025)."""
    if (old is None) != (new is None):
        raise click.UsageError("give both OLD and NEW, or neither for the seed pair")
    old = old or SEED_OLD
    new = new or SEED_NEW
    _check_settings()
    result = read_and_compare(old, new, max_size, profile, output, _writer_setup("brief", lang))
    from .writers.docx_brief import render

    _write(output, render(result, lang=lang, ready=result.prepared), [old, new])
    _done(0)


@main.command()
@click.argument("old", type=_INPUT)
@click.argument("new", type=_INPUT)
@click.option("-o", "--output", type=click.Path(), required=True, help=_OUTPUT_HELP)
@_max_size
def redline(old: str, new: str, output: str, max_size: int | None) -> None:
    """Write NEW as a Word document with tracked changes against OLD."""
    _check_settings()
    result = read_and_compare(old, new, max_size, False, output)
    from .writers.docx_redline import render

    _write(output, render(result), [old, new])
    _done(0)


@main.command()
@click.argument("old", type=_INPUT)
@click.argument("new", type=_INPUT)
@click.option("-o", "--output", type=click.Path(), required=True, help=_OUTPUT_HELP)
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True)
@click.option(
    "--level",
    type=click.Choice(["block", "sentence"]),
    default="block",
    show_default=True,
    help="One row per block (article, paragraph) or per sentence.",
)
@click.option("--changed-only", is_flag=True, help="Fold runs of unchanged units into one row.")
@_max_size
@_profile
def table(
    old: str,
    new: str,
    output: str,
    lang: str,
    level: str,
    changed_only: bool,
    max_size: int | None,
    profile: bool,
) -> None:
    """Write the 修改前后对照表: OLD and NEW side by side in a landscape Word table."""
    _check_settings()
    view = {"level": level, "changed_only": changed_only}
    result = read_and_compare(
        old, new, max_size, profile, output, _writer_setup("table", lang, **view)
    )
    from .writers.docx_table import render

    data = render(result, lang=lang, level=level, changed_only=changed_only, ready=result.prepared)
    _write(output, data, [old, new])
    _done(0)


@main.command()
@click.argument("pairs", type=_INPUT)
@click.option("--out", "out_dir", type=click.Path(), required=True, help="Folder for the JSON.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Default: all cores.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: processes on this machine; dask: a Dask cluster (pip install 'diffreport[dask]').",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="tcp://HOST:PORT",
    help="With --engine dask: an existing scheduler (default $DASK_SCHEDULER_ADDRESS, else a "
    "local cluster). Workers must see the input and output paths.",
)
@click.option(
    "--ship-inputs",
    is_flag=True,
    help="With --engine dask: send the files' bytes to the workers and write their JSON here "
    "(workers need not see the paths).",
)
@click.option("--force", is_flag=True, help="Compare again the pairs an earlier run finished.")
@click.option(
    "--report",
    type=click.Path(),
    default=None,
    help="Also write a one-page overview of the batch: FILE.html or FILE.docx.",
)
@_max_size
def batch(
    pairs: str,
    out_dir: str,
    workers: int | None,
    engine: str,
    scheduler: str | None,
    ship_inputs: bool,
    force: bool,
    report: str | None,
    max_size: int | None,
) -> None:
    """Compare every pair listed in PAIRS (CSV: old,new per row; relative paths are taken from
    the CSV's folder) on all cores: one JSON per pair in OUT and OUT/index.json.
    Exit 0 if every pair was compared, 2 if any failed (see the index)."""
    import json
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from . import batch as batch_mod
    from .writers.output import make_folder, write_output

    if ship_inputs and engine != "dask":
        raise click.UsageError("--ship-inputs goes with --engine dask")
    if report:
        from .writers.output import check_output_path

        if Path(report).suffix.lower() not in (".html", ".htm", ".docx"):
            raise click.UsageError("--report must end in .html or .docx")
        check_output_path(report, [pairs])
    listing = Path(pairs)
    text, encoding = _read_listing(listing, max_size)
    rows = batch_mod.parse_pairs(text, pairs)
    out = make_folder(out_dir)
    base = listing.parent
    paths = [(_on_disk(base, old, encoding), _on_disk(base, new, encoding)) for old, new in rows]
    todo = batch_mod.keyed(batch_mod.jobs(paths, out, _max_bytes(max_size)))
    # An earlier run in this folder: pairs with the same inputs and version are not redone.
    kept, remaining = ({}, todo) if force else batch_mod.resume(todo, out)
    if kept:
        _say(f"{len(kept)} of {len(todo)} pairs done by an earlier run (--force to redo them)")
    finished = dict(kept)
    last_index = [time.monotonic()]

    def write_index() -> None:
        entries = [finished[j.number] for j in todo if j.number in finished]
        index = {"schema": batch_mod.INDEX_SCHEMA, "pairs": entries}
        write_output(out / "index.json", json.dumps(index, ensure_ascii=False, indent=2).encode())

    console = _stderr_console()
    started = time.monotonic()
    errors = [0]
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("comparing", total=len(todo), completed=len(kept))

        def record(entry: dict) -> None:
            finished[entry["row"]] = entry
            errors[0] += entry["status"] != "ok"
            now = len(finished) - len(kept)
            rate = now / max(1e-9, time.monotonic() - started)
            note = f"comparing, {rate:.1f} pairs/s, {errors[0]} errors"
            progress.update(task, advance=1, description=note)
            if not console.is_terminal and now % PROGRESS_LINE_EVERY == 0:
                _say(
                    f"{len(finished)} of {len(todo)} pairs: {rate:.1f} pairs/s, {errors[0]} errors"
                )
            # Progressively, so an interrupted run resumes from where it was.
            if time.monotonic() - last_index[0] > INDEX_EVERY_SECONDS:
                write_index()
                last_index[0] = time.monotonic()

        try:
            if engine == "dask":
                from . import batch_dask

                batch_dask.run(remaining, scheduler, workers, record, ship_inputs=ship_inputs)
            else:
                batch_mod.run(remaining, workers, record)
        finally:
            write_index()  # also on Ctrl-C: what finished is kept and listed
    entries = [finished[j.number] for j in todo]
    write_output(out / "summary.csv", batch_mod.summary_csv(entries))
    if report:
        _batch_report(report, entries, out)
    failed = [e for e in entries if e["status"] != "ok"]
    _say(f"compared {len(entries) - len(failed)} of {len(entries)} pairs into {printable(out_dir)}")
    for e in failed[:5]:
        _say(f"diffreport: error: {e['error']}")
    sys.exit(2 if failed else 0)


def _batch_report(report: str, entries: list[dict], out) -> None:
    """The corpus overview from the index and each pair's JSON as written above."""
    import json

    from .corpus import gather
    from .writers import corpus

    reports = {}
    for e in entries:
        if e.get("status") == "ok":
            try:
                reports[e["row"]] = json.loads((out / e["output"]).read_bytes())
            except (OSError, ValueError):
                continue  # the overview leaves the pair's terms out; the index still lists it
    facts = gather(entries, reports)
    html = report.lower().endswith((".html", ".htm"))
    _write(report, corpus.render_html(facts) if html else corpus.render_docx(facts), [])


def _on_disk(base, name: str, encoding: str) -> str:
    """The file a CSV row names. File names are bytes: a listing in GBK (or another legacy
    encoding) may name files by their GBK bytes rather than by the characters (UTF-8 bytes)."""
    path = str(base / name)
    if os.path.lexists(path) or encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
        return path
    try:
        as_bytes = str(base / os.fsdecode(name.encode(encoding)))
    except (UnicodeEncodeError, LookupError):
        return path
    return as_bytes if os.path.lexists(as_bytes) else path


def _read_listing(listing, max_size: int | None) -> tuple[str, str]:
    """The CSV of pairs as text: bounded and refused like every input (the readers' own
    checks), in any encoding the readers take (a GBK file from Excel on Chinese Windows too)."""
    from .errors import InputError
    from .readers import decode, read_file_bytes

    if listing.is_dir():
        raise InputError(str(listing), "is a folder, not a list of pairs", "give a CSV file")
    return decode(read_file_bytes(listing, max_size), str(listing))


@main.command()
@click.argument("versions", nargs=-1, required=True, type=_INPUT)
@click.option(
    "--order",
    type=click.Choice(["given", "name", "mtime"]),
    default="given",
    show_default=True,
    help="Oldest first: as given, by file name, or by modification time.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json", "html", "docx"]),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(), default=None, help="Write to a file.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes comparing the steps (default: all cores).",
)
@_max_size
def history(
    versions: tuple[str, ...],
    order: str,
    fmt: str,
    output: str | None,
    workers: int | None,
    max_size: int | None,
) -> None:
    """Follow every unit through VERSIONS (two or more files, oldest first): when each
    priority, article, measure, target and term appeared, changed, left and came back.
    Exit 0 if all versions are the same, 1 if not, 2 on trouble."""
    from .readers import read

    if len(versions) < 2:
        raise click.UsageError("give at least two versions, oldest first")
    if fmt == "docx" and not output:
        raise click.UsageError("--format docx needs -o FILE.docx")
    if fmt == "docx":
        _check_settings()
    paths = list(versions)
    if order == "name":
        paths.sort()
    elif order == "mtime":
        paths.sort(key=_mtime)
    _pause_gc()
    if output:
        from .writers.output import check_output_path

        check_output_path(output, paths)
    sources = [read(p, max_bytes=_max_bytes(max_size)) for p in paths]
    from .history import history as follow

    result = follow(sources, workers=workers or os.cpu_count() or 1)
    same = all(c.same for c in result.steps)
    if fmt == "docx":
        from .writers.docx_history import render

        _write(output, render(result), paths)
        _done(0 if same else 1)
    if fmt == "html":
        from .writers.history_html import render as render_page

        page = render_page(result)
        if output:
            _write(output, page, paths)
        else:
            _emit(page)
        _done(0 if same else 1)
    if fmt == "json":
        data = result.to_json_bytes()
        if not output:
            _emit(data + b"\n")  # JSON is UTF-8 whatever the terminal's encoding
        else:
            _write(output, data, paths)
        _done(0 if same else 1)
    elif fmt == "md":
        from .writers.history import render_markdown

        text = render_markdown(result)
    else:
        from rich.console import Console

        from .writers.history import render_text

        if output is None:
            _emit_rich(lambda console: render_text(result, console))
            _done(0 if same else 1)
        console = Console(record=True, width=160, file=io.StringIO())
        render_text(result, console)
        text = console.export_text()
    if output:
        _write(output, text.encode("utf-8"), paths)
    else:
        _emit_text(text + "\n")
    _done(0 if same else 1)


def _mtime(path: str) -> float:
    """For --order mtime; a missing file sorts first and the reader then says what is wrong."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@main.command()
@click.argument("file", type=_INPUT)
@click.option(
    "--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True
)
@click.option("--sentences", is_flag=True, help="Also list sentences and clauses.")
@_max_size
def show(file: str, fmt: str, sentences: bool, max_size: int | None) -> None:
    """Show the structure recognised in FILE: sections, blocks and their titles."""
    from .readers import read

    source = read(file, max_bytes=_max_bytes(max_size))
    from .compare import load

    doc = load(source)
    if fmt == "json":
        import json

        shown = {
            "title": doc.title,
            "genre": doc.genre,
            "format": source.format,
            "dropped": source.dropped,
            "nodes": [n.to_dict() for n in doc.nodes],
        }
        _emit(json.dumps(shown, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        return
    counts = (
        f"{doc.genre}, {len(doc.of_kind('section'))} sections, {len(doc.of_kind('block'))} blocks"
    )
    shown: list[tuple[str | None, str, str, str]] = []  # (parent, id, markup, plain text)
    for node in doc.nodes:
        if node.kind in ("sentence", "clause") and not sentences:
            continue
        if node.kind == "clause" and len(doc.children(node.parent)) == 1:
            continue
        if node.kind == "section":
            parts = [("bold cyan", node.label), ("bold", node.title)]
        elif node.kind == "block":
            body = (
                node.text[len(node.label) :].lstrip()
                if node.label and node.text.startswith(node.label)
                else node.text
            )
            parts = [("green", node.label), ("", node.title or _snippet(body)), ("dim", node.id)]
        else:
            parts = [("dim", node.id), ("", _snippet(node.text, 60))]
        markup = " ".join(f"[{style}]{_esc(t)}[/]" if style else _esc(t) for style, t in parts)
        shown.append((node.parent, node.id, markup, " ".join(t for _, t in parts)))
    dropped = _dropped_summary(source.dropped)

    if len(shown) > SHOW_RICH_NODES:
        # rich lays a tree out at some 0.1 ms a node (10 s for 100,000 blocks): a large tree
        # is written as plain lines with the same guides, in time linear in its nodes.
        tree_lines = guide_lines([(parent, nid, plain) for parent, nid, _, plain in shown])
        _emit_text("\n".join([f"{doc.title}  ({counts})", *tree_lines, *dropped]) + "\n")
        return
    from rich.tree import Tree

    tree = Tree(f"[bold]{_esc(doc.title)}[/]  [dim]({counts})[/]")
    branches: dict[str | None, Tree] = {None: tree}
    for parent, nid, markup, _ in shown:
        branches[nid] = branches.get(parent, tree).add(markup)

    def draw(console) -> None:
        console.print(tree)
        for line in dropped:
            console.print(f"[dim]{_esc(line)}[/]")

    _emit_rich(draw)


def _dropped_summary(dropped: list[str]) -> list[str]:
    """What the reader left out as page furniture, so a user can see why a line is missing;
    page numbers grouped as one line: `— N —  × 9`."""
    if not dropped:
        return []
    import re
    from collections import Counter

    from .readers.lines import is_page_number

    texts = [line.split(": ", 1)[-1] for line in dropped]
    repeated = Counter(re.sub(r"\d+", "N", t) if is_page_number(t) else t for t in texts)
    return [f"dropped as running header, footer or page number ({len(dropped)} lines):"] + [
        f"  {text}" + (f"  × {count}" if count > 1 else "")
        for text, count in repeated.most_common(12)
    ]


def guide_lines(nodes: list[tuple[str | None, str, str]]) -> list[str]:
    """A tree of (parent id, id, text), in document order, as lines with rich's guides
    (`├── `, `│   `, `└── `); a node whose parent is not shown hangs from the root. Iterative:
    no depth of nesting reaches the recursion limit."""
    ids = {nid for _, nid, _ in nodes}
    kids: dict[str | None, list[tuple[str, str]]] = {}
    for parent, nid, text in nodes:
        kids.setdefault(parent if parent in ids else None, []).append((nid, text))
    lines: list[str] = []
    stack: list[tuple[list[tuple[str, str]], int, str]] = [(kids.get(None, []), 0, "")]
    while stack:
        items, k, prefix = stack.pop()
        if k >= len(items):
            continue
        stack.append((items, k + 1, prefix))
        nid, text = items[k]
        last = k == len(items) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}{text}")
        if nid in kids:
            stack.append((kids[nid], 0, prefix + ("    " if last else "│   ")))
    return lines


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _snippet(text: str, width: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


if __name__ == "__main__":  # pragma: no cover
    main()
