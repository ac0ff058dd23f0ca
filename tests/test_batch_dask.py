"""The Dask engine of `batch` against a real scheduler and two real workers (separate processes
on loopback): the same JSON as the local engine, a missing file is one `error` entry, and a
worker killed mid-run loses no pair."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from diffreport import batch, batch_dask  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _offload_thread_ended():
    """distributed starts an offload thread in this process and never ends it; while it runs,
    ``sidecar.can_fork`` refuses (a fork beside another thread is unsafe), so every later test
    of a forked path would skip: it is ended once this module's tests are done."""
    yield
    from distributed import utils

    executor = getattr(utils, "_offload_executor", None)
    if executor is not None:
        executor.shutdown(wait=True)


ROOT = Path(__file__).resolve().parent.parent
LAW = ROOT / "tests" / "fixtures" / "law"
SEEDS = ROOT / "seeds"


def _pairs() -> list[tuple[str, str]]:
    laws = sorted(p for p in LAW.glob("*.md"))
    by_name: dict[str, list[Path]] = {}
    for p in laws:
        by_name.setdefault(p.name.split(".")[0], []).append(p)
    # Oldest first: a file named NAME.old.md is the earlier version, else the earlier date.
    pairs = []
    for versions in by_name.values():
        versions.sort(key=lambda p: "0" if ".old." in p.name else p.name)
        pairs.append((str(versions[0]), str(versions[-1])))
    pairs.append((str(SEEDS / "nankai-2024-plan.txt"), str(SEEDS / "nankai-2025-plan.txt")))
    return pairs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`dask scheduler` and two `dask worker`s as processes, as on real hosts."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), DASK_DISTRIBUTED__WORKER__DAEMON="False")
    logs = tmp_path_factory.mktemp("dask")
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
        + ["--port", str(port), "--no-dashboard"],
        stdout=(logs / "scheduler.log").open("w"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    workers: list[subprocess.Popen] = []

    def start_worker(n: int) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address]
            + ["--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--name", f"w{n}"],
            stdout=(logs / f"worker{n}.log").open("w"),
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # killed as a group: the nanny and its worker process
        )
        workers.append(proc)
        return proc

    start_worker(1)
    start_worker(2)
    from distributed import Client

    deadline = time.monotonic() + 60
    with Client(address, timeout="30s") as client:
        while len(client.scheduler_info()["workers"]) < 2:
            assert time.monotonic() < deadline, (logs / "worker1.log").read_text()
            time.sleep(0.2)
    yield {"address": address, "workers": workers, "start_worker": start_worker}
    for proc in [*workers, scheduler]:
        try:
            os.killpg(proc.pid, signal.SIGTERM) if proc in workers else proc.terminate()
        except ProcessLookupError:
            pass
    for proc in [*workers, scheduler]:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _run(engine: str, out: Path, rows, **kw) -> list[dict]:
    todo = batch.jobs(rows, out, None)
    out.mkdir(parents=True, exist_ok=True)
    if engine == "local":
        return batch.run(todo, workers=1)
    return batch_dask.run(todo, **kw)


def test_same_json_as_the_local_engine_and_errors_are_entries(cluster, tmp_path) -> None:
    rows = _pairs() + [(str(tmp_path / "missing.md"), str(SEEDS / "nankai-2025-plan.txt"))]
    local = _run("local", tmp_path / "local", rows)
    remote = _run("dask", tmp_path / "dask", rows, scheduler=cluster["address"])
    assert [e["status"] for e in remote] == [e["status"] for e in local]
    assert [e["status"] for e in remote].count("error") == 1
    assert "missing.md" in remote[-1]["error"]
    for a, b in zip(local, remote, strict=True):
        if a["status"] == "ok":
            mine = (tmp_path / "local" / a["output"]).read_bytes()
            theirs = (tmp_path / "dask" / b["output"]).read_bytes()
            assert mine == theirs, a["output"]


def test_a_worker_killed_mid_run_loses_no_pair(cluster, tmp_path) -> None:
    rows = _pairs() * 3
    killed = []

    def progress(entry: dict) -> None:
        if not killed:  # the first pair is done: the others are running or queued
            victim = cluster["workers"][0]
            os.killpg(victim.pid, signal.SIGKILL)
            killed.append(victim)

    entries = _run("dask", tmp_path / "out", rows, scheduler=cluster["address"], progress=progress)
    assert killed
    assert len(entries) == len(rows)
    assert all(e["status"] == "ok" for e in entries), [e for e in entries if e["status"] != "ok"]
    outputs = [e["output"] for e in entries]
    assert len(set(outputs)) == len(rows)  # no pair missing or written twice under one name
    cluster["workers"].remove(killed[0])
    cluster["start_worker"](3)  # leave two workers for any later test


def test_local_cluster_without_a_scheduler(tmp_path) -> None:
    rows = _pairs()[:2]
    entries = _run("dask", tmp_path / "out", rows, workers=2)
    assert [e["status"] for e in entries] == ["ok", "ok"]


def test_without_dask_the_engine_says_how_to_install(tmp_path) -> None:
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from diffreport import batch_dask\n"
        "try:\n    batch_dask._client(None, 1)\nexcept Exception as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "pip install 'diffreport[dask]'" in out.stdout, out.stderr


def test_cli_engine_dask_on_a_cluster_and_an_unreachable_scheduler(cluster, tmp_path) -> None:
    listing = tmp_path / "pairs.csv"
    listing.write_text("old,new\n" + "".join(f"{a},{b}\n" for a, b in _pairs()[:3]))
    cli = [sys.executable, "-m", "diffreport", "batch", str(listing)]
    ok = subprocess.run(
        [*cli, "--out", str(tmp_path / "out"), "--engine", "dask"]
        + ["--scheduler", cluster["address"]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(list((tmp_path / "out").glob("0*.json"))) == 3
    port = _free_port()  # nobody listens there
    bad = subprocess.run(
        [*cli, "--out", str(tmp_path / "bad"), "--engine", "dask"]
        + ["--scheduler", f"tcp://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="3s"),
    )
    assert bad.returncode == 2
    assert "cannot reach the Dask scheduler" in bad.stderr and "Traceback" not in bad.stderr


def test_shipped_inputs_give_the_same_json_and_need_no_files(cluster, tmp_path) -> None:
    rows = _pairs()[:3] + [(str(tmp_path / "gone.md"), str(SEEDS / "nankai-2025-plan.txt"))]
    local = _run("local", tmp_path / "local", rows)
    shipped = _run(
        "dask", tmp_path / "shipped", rows, scheduler=cluster["address"], ship_inputs=True
    )
    assert [e["status"] for e in shipped] == ["ok", "ok", "ok", "error"]
    assert "gone.md: no such file" in shipped[-1]["error"]
    for a, b in zip(local[:3], shipped[:3], strict=True):
        assert (tmp_path / "local" / a["output"]).read_bytes() == (
            tmp_path / "shipped" / b["output"]
        ).read_bytes()
    # The worker's side reads nothing from disk: names that exist nowhere compare the same.
    old, new = rows[0]
    job = batch.jobs([(old, new)], tmp_path / "x", None)[0]
    entry, data = batch.compare_shipped(
        batch.Job(1, "/nowhere/" + Path(old).name, "/nowhere/" + Path(new).name, job.output),
        Path(old).read_bytes(),
        Path(new).read_bytes(),
    )
    assert entry["status"] == "ok" and data is not None
