"""The Dask engine of ``diffreport batch``: the same pairs, the same per-pair function
(:func:`diffreport.batch.compare_one`), on a Dask cluster instead of local processes.

``run(todo, scheduler=None)`` starts a local cluster sized to the machine when no scheduler is
given (``tcp://HOST:PORT`` or ``DASK_SCHEDULER_ADDRESS`` submits to an existing one). Workers
read the inputs and write each pair's JSON themselves, so the paths (inputs and ``--out``) must
be visible to every worker, as on a shared file system — or, with ``ship_inputs``, the client
reads each pair's files (within the size limit) and sends their bytes, and the workers send
the JSON back for the client to write. A worker that dies mid-pair is
replaced by the scheduler and its pair run again elsewhere, up to :data:`MAX_ATTEMPTS` times,
then reported as an ``error`` entry; a pair that raises is an ``error`` entry and the others go
on. Dask is an extra: ``pip install 'diffreport[dask]'``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .batch import Job, compare_one, compare_shipped, error_entry, write_pair
from .errors import SettingsError

# Attempts per pair when workers die under it (the scheduler's `allowed-failures`): a pair
# that kills three workers is the pair's fault, not bad luck.
MAX_ATTEMPTS = 3


def _client(scheduler: str | None, workers: int | None):
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise SettingsError("--engine dask needs Dask: pip install 'diffreport[dask]'") from None
    dask.config.set({"distributed.scheduler.allowed-failures": MAX_ATTEMPTS - 1})
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        try:
            # Dask's connect timeout (30 s unless configured): an unreachable scheduler is an
            # error, not a hang.
            timeout = dask.config.get("distributed.comm.timeouts.connect")
            return Client(address, timeout=timeout), None
        except (OSError, TimeoutError) as exc:
            raise SettingsError(f"cannot reach the Dask scheduler {address}: {exc}") from None
    # One single-threaded process per core: a comparison is CPU-bound Python (the GIL).
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: never clash with another cluster
    )
    return Client(cluster), cluster


def run(
    todo: list[Job],
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[dict], None] | None = None,
    ship_inputs: bool = False,
) -> list[dict]:
    """Index entries in the order of ``todo``; ``progress`` is called as each pair ends.
    On Ctrl-C the pairs not yet finished are cancelled; finished ones are already written."""
    from distributed import as_completed

    if not todo:
        return []
    client, cluster = _client(scheduler, workers)
    entries: dict[int, dict] = {}
    try:
        # pure=False: two rows may name the same files, and each writes its own output.
        if ship_inputs:
            futures, submitted = [], []
            for job in todo:
                shipment = _inputs(job)
                if isinstance(shipment, dict):  # unreadable here: the pair's error, at once
                    entries[job.number] = shipment
                    if progress:
                        progress(shipment)
                    continue
                futures.append(
                    client.submit(compare_shipped, job, *shipment, pure=False, key=_key(job))
                )
                submitted.append(job)
        else:
            submitted = todo
            futures = client.map(compare_one, todo, pure=False, key=[_key(j) for j in todo])
        by_key = {f.key: job for f, job in zip(futures, submitted, strict=True)}
        try:
            for future in as_completed(futures):
                job = by_key[future.key]
                try:
                    entry = future.result()
                    if ship_inputs:
                        entry, data = entry
                        if data is not None:
                            entry = write_pair(job, entry, data)
                except Exception as exc:  # a bug in the pair, or workers killed under it
                    entry = error_entry(job, f"{type(exc).__name__}: {exc}")
                entries[job.number] = entry
                if progress:
                    progress(entry)
        except KeyboardInterrupt:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [entries[job.number] for job in todo if job.number in entries]


def _inputs(job: Job) -> tuple[bytes, bytes] | dict:
    """Both files' bytes for shipping, within the size limit, or the pair's error entry when
    one cannot be read here (the same message the reader gives)."""
    from .errors import DiffreportError
    from .readers import read_file_bytes

    try:
        return read_file_bytes(job.old, job.max_bytes), read_file_bytes(job.new, job.max_bytes)
    except DiffreportError as exc:
        return error_entry(job, str(exc))


def _key(job: Job) -> str:
    return f"diffreport-pair-{job.number}"
