"""CI gate: the accuracy harness must stay at or above tests/eval/thresholds.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402


@pytest.fixture(scope="module")
def results():
    return harness.run()


def test_accuracy_at_or_above_thresholds(results):
    thresholds = json.loads((HERE / "thresholds.json").read_text(encoding="utf-8"))
    failures = harness.check(results, thresholds)
    assert not failures, "\n" + harness.report(results, verbose=True) + "\n" + "\n".join(failures)


def test_every_label_key_finds_its_unit(results):
    misses = [m for r in results for m in r.scores.get("label keys", harness.Score()).misses]
    assert misses == []
