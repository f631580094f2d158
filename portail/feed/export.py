"""Writing the declarations back for the agency's main system: one batch directory a run,
idempotent by a recorded watermark per source, safe to run again after a crash.

A run exports, for each source (``declarations.SOURCES``), the rows recorded after the
source's watermark (or after ``--since``) and at or before the run's cutoff: now minus
``SETTLE``, so that every transaction that recorded a row of the window has committed by the
time it is read (a row's time is taken inside its transaction, before its commit). Rows are
ordered by (time recorded, id); the window, not a row count, is the unit of work.

Nothing lost, nothing twice:

1. the batch's files are written in a hidden temporary directory, each flushed and fsynced,
   with ``manifest.json`` (the cutoff and, per source, its window and row count);
2. the directory is renamed to ``declarations-<cutoff>`` (atomic) and the parent fsynced;
3. then, in one transaction, every source's watermark moves to the cutoff.

A run killed before 2 leaves a temporary directory, removed by the next run, which exports
the same window again; killed between 2 and 3, it leaves a complete batch whose cutoff is past
the watermarks: the next run adopts it (moves the watermarks to its cutoff, rewrites nothing)
before exporting what came after. Runs must therefore always write to the same directory."""

import csv
import datetime
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from portail.audit.services import record_event
from portail.common import clock

from .declarations import SOURCES, Source
from .models import ExportWatermark

SETTLE = datetime.timedelta(minutes=10)
BATCH_PREFIX = "declarations-"
MANIFEST = "manifest.json"


@dataclass
class ExportResult:
    batch: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)
    adopted: Path | None = None


def export_declarations(*, directory: Path, since: datetime.datetime | None = None) -> ExportResult:
    """Write the next batch of declarations into ``directory`` (see the module's docstring)."""
    result = ExportResult()
    _remove_unfinished(directory)
    marks = _watermarks()
    result.adopted = _adopt_finished(directory, marks)
    if result.adopted:
        marks = _watermarks()
    until = clock.now() - SETTLE
    windows = {s.name: since if since is not None else marks.get(s.name) for s in SOURCES}
    if all(after is not None and after >= until for after in windows.values()):
        return result  # nothing settled since the last batch
    result.batch, result.rows = _write_batch(directory, windows, until)
    _advance(until, result.batch.name)
    record_event(
        action="declarations_exported",
        target=result.batch.name,
        details={"rows": result.rows, "since": since.isoformat() if since else None},
    )
    return result


def _stamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _watermarks() -> dict[str, datetime.datetime]:
    return dict(ExportWatermark.objects.values_list("source", "exported_until"))


def _remove_unfinished(directory: Path) -> None:
    """Temporary directories of runs killed before their rename: never seen by the agency."""
    for path in directory.glob(f".{BATCH_PREFIX}*.tmp"):
        shutil.rmtree(path)


def _adopt_finished(directory: Path, marks: dict) -> Path | None:
    """A complete batch whose cutoff is past the watermarks (its run died before recording
    it): the watermarks move to its cutoff, so its rows are not written again."""
    newest = max(marks.values(), default=None)
    pending = []
    for path in directory.glob(f"{BATCH_PREFIX}*"):
        manifest = path / MANIFEST
        if not path.is_dir() or not manifest.is_file():
            continue
        until = datetime.datetime.fromisoformat(json.loads(manifest.read_text())["until"])
        if newest is None or until > newest:
            pending.append((until, path))
    if not pending:
        return None
    until, path = max(pending)
    _advance(until, path.name)
    return path


def _write_batch(directory: Path, windows: dict, until: datetime.datetime) -> tuple[Path, dict]:
    name = f"{BATCH_PREFIX}{_stamp(until)}"
    temporary = directory / f".{name}.tmp"
    temporary.mkdir(parents=True)
    counts = {}
    for source in SOURCES:
        counts[source.name] = _write_source(temporary, source, windows[source.name], until)
    manifest = {
        "until": until.isoformat(),
        "sources": {
            s.name: {
                "after": windows[s.name].isoformat() if windows[s.name] else None,
                "rows": counts[s.name],
                "file": f"{s.name}.csv",
            }
            for s in SOURCES
        },
    }
    _write_synced(temporary / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    _fsync_directory(temporary)
    final = directory / name
    os.rename(temporary, final)
    _fsync_directory(directory)
    return final, counts


def _write_source(directory: Path, source: Source, after, until) -> int:
    count = 0
    with (directory / f"{source.name}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(source.columns)
        for row in source.rows(after, until):
            writer.writerow(row)
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return count


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@transaction.atomic
def _advance(until: datetime.datetime, batch: str) -> None:
    """Every source's watermark to ``until``, in one transaction."""
    for source in SOURCES:
        ExportWatermark.objects.update_or_create(
            source=source.name, defaults={"exported_until": until, "batch": batch}
        )
