from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
LAW = FIXTURES / "law"


# How long a module's threads may take to end once its tests are done (writers' deflate
# threads and the side child's readers end within milliseconds of their work).
THREADS_END_WITHIN = 5.0  # seconds (a margin for a loaded machine)


@pytest.fixture(scope="module", autouse=True)
def no_thread_left_running(request):
    """Fails a module that leaves a thread running: while one runs, ``sidecar.can_fork``
    refuses, so every later test of a forked path would take the path in process or skip,
    unnoticed (distributed's offload thread did that to test_brief's forked tests)."""
    yield
    deadline = time.monotonic() + THREADS_END_WITHIN
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert not left, f"{request.module.__name__} left threads running: {left}"


@pytest.fixture(scope="session")
def seed_comparison():
    from diffreport.compare import compare

    return compare(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt")


def law_pairs() -> list[tuple[Path, Path]]:
    """(older, newer) versions of each shared regulation: `X.old.md` or the earlier date first."""
    by_name: dict[str, list[Path]] = {}
    for path in LAW.glob("*.md"):
        if path.name != "README.md":
            by_name.setdefault(path.name.split(".")[0], []).append(path)
    pairs = []
    for versions in by_name.values():
        versions.sort(key=lambda p: ("0" if ".old." in p.name else "1") + p.name)
        pairs.append((versions[0], versions[-1]))
    return sorted(pairs)


def pandoc_text(docx_path, mode: str) -> str:
    """The plain text pandoc reads from a .docx with its tracked changes accepted or rejected
    (`--track-changes=accept|reject`): what Word's Accept All / Reject All leave."""
    import subprocess

    return subprocess.run(
        ["pandoc", f"--track-changes={mode}", "-t", "plain", "--wrap=none", str(docx_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
