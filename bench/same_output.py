"""Did a change keep diffreport's output the same? For speed-ups and refactorings.

Runs `diffreport diff OLD NEW --format json` on the reference pairs (the seeds, the "any two
documents" cases, the English policy, the law revisions, and the large benchmark inputs but
the three slowest real ones) and compares a SHA-256 of each output with
`bench/same_output.sha256`.

    python bench/same_output.py             # compare (exit 1 and name the pairs that differ)
    python bench/same_output.py --quick     # the small pairs only (seconds, not a minute)
    python bench/same_output.py --update    # after a change that means to alter the output

The hashes hold for one version of the dependencies (jieba-rs's dictionary, rapidfuzz); after
upgrading them, run the check on the old code first, then `--update`.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inputs import ROOT, SEEDS, build  # noqa: E402

HASHES = ROOT / "bench" / "same_output.sha256"
DIFFREPORT = str(Path(sys.executable).parent / "diffreport")
ENGLISH = ROOT / "tests" / "fixtures" / "english"
# Real distinct pairs left out: seconds each, and real-0.5m is their same kind of text.
SLOW_COVERED = {"real-1m", "real-2m", "unrelated-1m"}


def pairs(quick: bool) -> dict[str, tuple[Path, Path]]:
    out = {
        "outlook": (SEEDS / "nankai-2024-review-2025-outlook.txt", SEEDS / "nankai-2025-plan.txt"),
        "report": (
            SEEDS / "nankai-2021-government-work-report.txt",
            SEEDS / "nankai-2024-plan.txt",
        ),
        "english": (
            ENGLISH / "github-acceptable-use-policies.2021.md",
            ENGLISH / "github-acceptable-use-policies.2024.md",
        ),
    }
    for pair in build():
        if pair.name in SLOW_COVERED:
            continue
        if pair.group in ("seed", "law") or not quick:
            out[pair.name] = (pair.old, pair.new)
    return out


def digest(old: Path, new: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.json"
        # Relative paths: the JSON records them, and the hashes must not depend on the clone.
        cmd = [DIFFREPORT, "diff", str(old.relative_to(ROOT)), str(new.relative_to(ROOT))]
        done = subprocess.run(
            [*cmd, "--format", "json", "-o", str(target)], cwd=ROOT, capture_output=True
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"{old.name}: {done.stderr.decode(errors='replace').strip()}")
        return hashlib.sha256(target.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    known = {}
    if HASHES.exists():
        for line in HASHES.read_text(encoding="utf-8").splitlines():
            value, name = line.split("  ", 1)
            known[name] = value
    got = {name: digest(old, new) for name, (old, new) in pairs(args.quick).items()}
    if args.update:
        known.update(got)
        HASHES.write_text("".join(f"{v}  {k}\n" for k, v in sorted(known.items())), "utf-8")
        print(f"wrote {len(got)} hashes to {HASHES.relative_to(ROOT)}")
        return 0
    differ = [name for name, value in got.items() if known.get(name) != value]
    for name in got:
        print(f"{'same ' if name not in differ else 'DIFF '} {name}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
