"""Deciding which inbox files are new, complete, and how to batch them into runs. Plain functions:
the sensor is a thin shell over them.

A file is complete when it has not been modified for `settle_s` seconds: a copy in progress keeps
touching its modification time, and writers that use a temporary name (`.name.part`) are skipped
as hidden files until they rename. A file is new when its content id has not been requested before:
the same bytes under another name are not new, an edited file is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from extraction_pipeline.documents.reading import RejectedFile, document_id, list_inbox, read_inbox_file

_HASH_LIMIT = 64 * 1024 * 1024  # ids of larger files (rejected anyway) come from size and mtime


@dataclass(frozen=True)
class InboxFile:
    relative_path: str
    content_id: str


def settled_files(inbox: Path, now: float, settle_s: float) -> list[InboxFile]:
    """Files that stopped changing at least `settle_s` ago, with their content ids."""
    found = []
    for path in list_inbox(inbox):
        try:
            info = path.lstat()
            if now - info.st_mtime < settle_s:
                continue
            if info.st_size > _HASH_LIMIT:
                content_id = hashlib.sha256(f"{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()[:16]
            else:
                content_id = document_id(read_inbox_file(path, inbox, _HASH_LIMIT))
        except OSError:
            continue  # vanished or unreadable right now: looked at again next tick
        except RejectedFile:
            continue  # what a run would refuse to read (a FIFO, a link out of the inbox) is not read here
        found.append(InboxFile(str(path.relative_to(inbox)), content_id))
    return found


def new_files(files: list[InboxFile], requested: set[str]) -> list[InboxFile]:
    """Files whose content was never requested, once per content."""
    fresh, seen = [], set(requested)
    for f in files:
        if f.content_id not in seen:
            seen.add(f.content_id)
            fresh.append(f)
    return fresh


def batches(files: list[InboxFile], size: int) -> list[list[InboxFile]]:
    return [files[i : i + size] for i in range(0, len(files), max(size, 1))]


def batch_key(batch: list[InboxFile]) -> str:
    """The same contents always give the same run key, so Dagster never launches them twice."""
    return "inbox-" + hashlib.sha256(",".join(sorted(f.content_id for f in batch)).encode()).hexdigest()[:24]


def load_cursor(cursor: str | None) -> set[str]:
    return set(json.loads(cursor)["requested"]) if cursor else set()


def dump_cursor(requested: set[str], present: list[InboxFile]) -> str:
    """Remember requested contents that are still in the inbox; forget the ones that left it."""
    keep = requested & {f.content_id for f in present}
    return json.dumps({"requested": sorted(keep)})
