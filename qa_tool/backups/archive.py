"""A backup folder: what it holds and how it is checked before anything is restored.

A backup is a folder with ``database.json`` (Django's serialised content of every model,
natural keys for content types and permissions), ``files/`` (a copy of the private media
root: evidence files) and ``manifest.json``, written last, which lists the applied
migrations and every file with its size and SHA-256. A folder without a manifest is an
unfinished backup and is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from qa_tool.core.bounds import BoundError, json_loads
from qa_tool.core.refusals import Problem, Refusal

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
FILES = "files"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
# Rebuilt by `migrate` (content types, permissions) or worthless after a restore (sessions:
# everybody logs in again; log-in throttling records).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


@dataclass(frozen=True)
class Summary:
    objects: int
    files: int
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations() -> dict[str, list[str]]:
    """Applied migrations by app, sorted: a restore needs exactly the same."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, _dirs, names in os.walk(root):
        for name in sorted(names):
            yield Path(folder) / name


def _file_entry(path: Path, relative: str) -> dict[str, Any]:
    return {"path": relative, "size": path.stat().st_size, "sha256": sha256_of(path)}


def write_backup(target: Path) -> Summary:
    """Write a backup of the database and the private media root into ``target``.

    ``target`` must be a new or empty folder. One read transaction gives a consistent
    database copy (PostgreSQL: REPEATABLE READ snapshot of the dump's queries)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Refusal([Problem(_("%(folder)s is not an empty folder") % {"folder": target})])
    target.mkdir(parents=True, exist_ok=True)
    database = target / DATABASE
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            exclude=EXCLUDED,
            natural_foreign=True,
            natural_primary=True,
            output=str(database),
            verbosity=0,
        )
    media_root = Path(settings.MEDIA_ROOT)
    entries = []
    for source in _media_files(media_root):
        relative = source.relative_to(media_root).as_posix()
        copy = target / FILES / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        entries.append(_file_entry(copy, relative))
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database_vendor": connection.vendor,
        "migrations": applied_migrations(),
        "database": _file_entry(database, DATABASE),
        "files": entries,
    }
    # The manifest last, through a rename: a folder with a manifest is a finished backup.
    partial = target / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    partial.replace(target / MANIFEST)
    return Summary(
        objects=_count_objects(database),
        files=len(entries),
        bytes=sum(e["size"] for e in entries),
    )


def _count_objects(database: Path) -> int:
    # A cheap count without parsing the dump again: every object has exactly one "model" key.
    count = 0
    with database.open("rb") as source:
        while chunk := source.read(CHUNK):
            count += chunk.count(b'"model": ')
    return count


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, checked in shape, with every listed file present and unchanged."""
    path = folder / MANIFEST
    if not path.is_file():
        raise Refusal(
            [
                Problem(
                    _("%(folder)s has no manifest.json: not a finished backup") % {"folder": folder}
                )
            ]
        )
    if path.stat().st_size > MANIFEST_MAX_BYTES:
        raise Refusal([Problem(_("manifest.json is too large to be a backup's manifest"))])
    try:
        manifest = json_loads(path.read_text(encoding="utf-8"))
    except (BoundError, ValueError, UnicodeDecodeError) as exc:
        raise Refusal(
            [Problem(_("manifest.json cannot be read: %(reason)s") % {"reason": exc})]
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Refusal(
            [
                Problem(
                    _("manifest.json is not a backup manifest of format %(format)s")
                    % {"format": FORMAT}
                )
            ]
        )
    problems = []
    entries = [(folder / DATABASE, manifest.get("database"), DATABASE)]
    for entry in manifest.get("files") or []:
        relative = _safe_relative(entry)
        if relative is None:
            problems.append(
                Problem(
                    _("manifest.json lists a file outside the backup: %(path)r") % {"path": entry}
                )
            )
            continue
        entries.append((folder / FILES / relative, entry, relative))
    for path, entry, name in entries:
        problems.extend(_check_file(path, entry, name))
    if problems:
        raise Refusal(problems)
    return manifest


def _safe_relative(entry: Any) -> str | None:
    """The entry's path when it is a plain relative path inside the folder, else None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return None
    path = PurePosixPath(entry["path"])
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts):
        return None
    if "\\" in entry["path"] or "\x00" in entry["path"]:
        return None
    return path.as_posix()


def _check_file(path: Path, entry: Any, name: str) -> list[Problem]:
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return [Problem(_("manifest.json has no checksum for %(name)s") % {"name": name})]
    if not path.is_file() or path.is_symlink():
        return [Problem(_("%(name)s is missing from the backup") % {"name": name})]
    if path.stat().st_size != entry.get("size") or sha256_of(path) != entry["sha256"]:
        return [
            Problem(
                _("%(name)s does not match its checksum: the backup is damaged") % {"name": name}
            )
        ]
    return []


def _excluded(model: Any) -> bool:
    label = model._meta.label_lower
    return (
        model._meta.app_label in ("contenttypes", "sessions", "axes") or label == "auth.permission"
    )


def _rows_present() -> list[str]:
    """Models that already hold rows, by label: a restore needs an empty database."""
    from django.apps import apps

    return [
        model._meta.label
        for model in apps.get_models()
        if not _excluded(model) and model._meta.managed and model._default_manager.exists()
    ]


def restore_backup(folder: Path) -> Summary:
    """Restore a checked backup into this (migrated, empty) database and media root.

    Everything is checked before anything is written; the database is loaded in one
    transaction, and files copied so far are removed again if anything fails."""
    manifest = read_manifest(folder)
    problems = []
    if manifest.get("migrations") != applied_migrations():
        problems.append(
            Problem(
                _(
                    "the backup was made with other migrations than this database has: "
                    "restore with the version of the application that made it, into a "
                    "database migrated with it"
                )
            )
        )
    present = _rows_present()
    if present:
        problems.append(
            Problem(
                _(
                    "the database is not empty (%(models)s): restore into a new database "
                    "after running migrate"
                )
                % {"models": ", ".join(present[:5])}
            )
        )
    media_root = Path(settings.MEDIA_ROOT)
    files = [entry for entry in manifest.get("files") or []]
    clashes = [e["path"] for e in files if (media_root / e["path"]).exists()]
    if clashes:
        problems.append(
            Problem(
                _("%(count)s files already exist in the private media root, e.g. %(path)s")
                % {"count": len(clashes), "path": clashes[0]}
            )
        )
    if problems:
        raise Refusal(problems)
    written: list[Path] = []
    try:
        with transaction.atomic():
            call_command("loaddata", str(folder / DATABASE), verbosity=0)
            for entry in files:
                destination = media_root / entry["path"]
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / FILES / entry["path"], destination)
                written.append(destination)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return Summary(
        objects=_count_objects(folder / DATABASE),
        files=len(files),
        bytes=sum(e["size"] for e in files),
    )
