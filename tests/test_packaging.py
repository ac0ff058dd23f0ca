"""`pip install .` (not editable) gives a working package: the wheel holds every module, the
templates and the data, and the installed `brief` finds its reference.docx without the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy, so setuptools' build/ folder neither litters the checkout nor leaks old files in.
    source = tmp_path_factory.mktemp("source") / "diffreport"
    skip = shutil.ignore_patterns(".*", "build", "*.egg-info", "out", "bench", "__pycache__")
    shutil.copytree(ROOT, source, ignore=skip)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        if "No matching distribution" in proc.stderr or "Could not find" in proc.stderr:
            pytest.skip("no package index reachable to build the wheel")
        raise AssertionError(proc.stderr[-2000:])
    (whl,) = out.glob("diffreport-*.whl")
    return whl


def test_wheel_holds_every_module_template_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "diffreport").rglob("*.py")}
    expected |= {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "diffreport").rglob("*")
        if p.is_file() and p.parent.name == "data" and "__pycache__" not in p.parts
    }
    schemas = (ROOT / "docs" / "schema").glob("*")
    expected |= {f"diffreport/schema/{p.name}" for p in schemas if p.suffix in (".json", ".py")}
    expected |= {
        f"diffreport/templates/{p.name}"
        for pattern in ("*.j2", "*.css", "*.js")
        for p in (ROOT / "templates").glob(pattern)
    }
    expected.add("diffreport/templates/reference.docx")
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel (list new subpackages in pyproject.toml): {missing}"


def test_installed_brief_finds_its_templates(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if k != "DIFFREPORT_TEMPLATES"}
    env["PYTHONPATH"] = str(target)
    run = tmp_path / "elsewhere"
    run.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "import diffreport.writers.templates as t; print(t.folder())"],
        cwd=run,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(target), where
    out = run / "briefing.docx"
    seeds = ROOT / "seeds"
    proc = subprocess.run(
        [sys.executable, "-m", "diffreport", "brief"]
        + [str(seeds / "nankai-2024-plan.txt"), str(seeds / "nankai-2025-plan.txt")]
        + ["-o", str(out)],
        cwd=run,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "word/document.xml" in zipfile.ZipFile(out).namelist()
    # The JSON Schema is a package resource, the same file as docs/schema/ holds.
    schema = subprocess.run(
        [sys.executable, "-c", _READ_SCHEMA],
        cwd=run,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert schema == (ROOT / "docs" / "schema" / "diffreport-1.schema.json").read_text("utf-8")


_READ_SCHEMA = (
    "import sys, importlib.resources as r; "
    "sys.stdout.write((r.files('diffreport.schema') / 'diffreport-1.schema.json')"
    ".read_text('utf-8'))"
)


def test_one_version_number(wheel: Path) -> None:
    import diffreport

    assert f"diffreport-{diffreport.__version__}-" in wheel.name
    out = subprocess.run(
        [sys.executable, "-m", "diffreport", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0 and diffreport.__version__ in out.stdout
