"""The one check of uploaded files' size and containers, for evidence files and workbooks.

Zip containers (Office Open XML, OpenDocument) are judged from the central directory
before a single member is inflated: member count, each member's and the total
uncompressed size, the compression ratio, encryption and the names. The few small
parts read after that (content types, the OpenDocument mimetype and manifest) are read
in chunks with a byte cap, so a member that lies about its size never expands in memory.
Every later reader (openpyxl) goes through Python's ``zipfile``, which never inflates a
member past the size declared in the directory, so the directory's sizes are the bound.

Macros are found by what Office and LibreOffice load, not by file names alone: macro
content types in ``[Content_Types].xml`` (a VBA part may be called anything),
``vbaProject.bin`` parts anywhere, Excel 4 macro sheets, and OpenDocument ``Basic/`` and
``Scripts/`` folders, whether listed in ``META-INF/manifest.xml`` or only present.
Legacy Office files (OLE2) are scanned through their directory for macro storages.
"""

from __future__ import annotations

import enum
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Limits shared by every upload that is a zip container. A genuine office document stays
# far below them; a zip bomb (a few kilobytes that unpack to gigabytes) does not.
MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
# Small files may compress well beyond the ratio (a sparse sheet): only sizes above this
# floor are held to it.
RATIO_FLOOR = 1024 * 1024
# The parts read to identify a container; real ones are a few kilobytes.
MAX_PART_BYTES = 1024 * 1024
_CHUNK = 64 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "macrosheet")
_ODF_SCRIPT_FOLDERS = ("basic/", "scripts/")
# Storages and streams in which Word, Excel and the VBA runtime keep macros.
_OLE_MACRO_NAMES = frozenset({"macros", "_vba_project", "_vba_project_cur", "vba"})


class Fault(enum.Enum):
    BROKEN = "broken"  # not a readable container of the kind it claims to be
    UNSAFE = "unsafe"  # too many members, encrypted members or names that escape a folder
    TOO_BIG = "too-big"  # unpacks beyond the limits: a zip bomb, refused unopened
    MACROS = "macros"


class ContainerRefused(Exception):
    def __init__(self, fault: Fault, *, unpacked: int = 0):
        super().__init__(fault.value)
        self.fault = fault
        self.unpacked = unpacked


@dataclass(frozen=True)
class Container:
    """What a zip upload turned out to be, once it passed every check."""

    names: frozenset[str]
    unpacked: int
    mimetype: str  # the OpenDocument mimetype, or ""
    content_types: tuple[str, ...]  # the Office Open XML content types, lowercased

    @property
    def is_ooxml(self) -> bool:
        return self.has("[Content_Types].xml")

    def has(self, name: str) -> bool:
        return name.lower() in {n.lower() for n in self.names}


def size_problem(size: int, max_bytes: int, name: str = "") -> str | None:
    """Why a file of ``size`` bytes is refused, in the uploader's language, or None."""
    if size <= max_bytes:
        return None
    limit = filesizeformat(max_bytes)
    if name:
        return _("%(name)s is larger than the limit of %(limit)s.") % {"name": name, "limit": limit}
    return _("The file is larger than the limit of %(limit)s.") % {"limit": limit}


# --- zip containers ---------------------------------------------------------------------------


def inspect_zip(source: IO[bytes], *, size: int) -> Container:
    """Check a zip upload of ``size`` bytes; raise ContainerRefused with the first fault."""
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            unpacked = _check_directory(infos, size)
            names = frozenset(info.filename for info in infos)
            mimetype = _read_part(archive, "mimetype", 256).decode("ascii", "replace").strip()
            content_types = _content_types(_read_part(archive, "[Content_Types].xml"))
            manifest = _manifest_entries(_read_part(archive, "META-INF/manifest.xml"))
    except ContainerRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        RuntimeError,
        ValueError,
    ):
        # RuntimeError: an encrypted member; ValueError and EOFError: a damaged directory;
        # zlib.error: a part whose compressed data is corrupt.
        raise ContainerRefused(Fault.BROKEN) from None
    finally:
        source.seek(0)
    if _has_macros(names, content_types, manifest):
        raise ContainerRefused(Fault.MACROS)
    return Container(names=names, unpacked=unpacked, mimetype=mimetype, content_types=content_types)


def _check_directory(infos: list[zipfile.ZipInfo], size: int) -> int:
    """The total uncompressed size, once the directory passed every limit."""
    if len(infos) > MAX_MEMBERS:
        raise ContainerRefused(Fault.UNSAFE)
    seen: set[str] = set()
    for info in infos:
        if info.flag_bits & 0x1 or not _safe_name(info.filename) or info.filename in seen:
            raise ContainerRefused(Fault.UNSAFE)
        seen.add(info.filename)
    unpacked = sum(info.file_size for info in infos)
    too_big = (
        unpacked > MAX_UNPACKED_BYTES
        or any(info.file_size > MAX_MEMBER_BYTES for info in infos)
        or (unpacked > RATIO_FLOOR and unpacked > max(size, 1) * MAX_RATIO)
    )
    if too_big:
        raise ContainerRefused(Fault.TOO_BIG, unpacked=unpacked)
    return unpacked


def _safe_name(name: str) -> bool:
    """A relative name inside the archive: no absolute path, drive, backslash or "..."."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    path = PurePosixPath(name)
    return ".." not in path.parts and ":" not in path.parts[0]


def _read_part(archive: zipfile.ZipFile, name: str, cap: int | None = None) -> bytes:
    """A member's content (b"" when absent), inflated chunk by chunk up to ``cap`` bytes."""
    cap = MAX_PART_BYTES if cap is None else cap
    info = next((i for i in archive.infolist() if i.filename.lower() == name.lower()), None)
    if info is None:
        return b""
    chunks, total = [], 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            total += len(chunk)
            if total > cap:
                raise ContainerRefused(Fault.TOO_BIG, unpacked=total)
            chunks.append(chunk)
    return b"".join(chunks)


def _xml_elements(data: bytes) -> Iterator[Element]:
    if not data:
        return iter(())
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except Exception:  # defusedxml's refusals and parse errors alike: not a document part
        raise ContainerRefused(Fault.BROKEN) from None
    elements: Iterator[Element] = root.iter()
    return elements


def _content_types(data: bytes) -> tuple[str, ...]:
    return tuple(
        element.get("ContentType", "").lower()
        for element in _xml_elements(data)
        if element.get("ContentType")
    )


def _manifest_entries(data: bytes) -> tuple[tuple[str, str], ...]:
    """(full path, media type) of every file entry of an OpenDocument manifest, lowercased."""
    found = []
    for element in _xml_elements(data):
        attributes = {key.rsplit("}", 1)[-1]: value.lower() for key, value in element.items()}
        if "full-path" in attributes:
            found.append((attributes["full-path"], attributes.get("media-type", "")))
    return tuple(found)


def _has_macros(
    names: frozenset[str], content_types: tuple[str, ...], manifest: tuple[tuple[str, str], ...]
) -> bool:
    lowered = [name.lower() for name in names]
    return (
        any(
            name.endswith("vbaproject.bin") or name.startswith("xl/macrosheets/")
            for name in lowered
        )
        or any(marker in ct for ct in content_types for marker in _MACRO_CONTENT_TYPES)
        or any(name.startswith(_ODF_SCRIPT_FOLDERS) for name in lowered)
        or any(
            path.startswith(_ODF_SCRIPT_FOLDERS) or "script" in media_type
            for path, media_type in manifest
        )
    )


# --- legacy Office (OLE2 compound files) ----------------------------------------------------


def inspect_ole(source: IO[bytes]) -> None:
    """Refuse a legacy Office file that is not a readable compound file or carries macros.

    Only the directory is read: the names of its storages and streams. PowerPoint 97-2003
    keeps a VBA project compressed inside its document stream, which this does not open.
    """
    source.seek(0)
    try:
        names = set(_ole_names(source))
    except (struct.error, ValueError, OSError):
        raise ContainerRefused(Fault.BROKEN) from None
    finally:
        source.seek(0)
    if names & _OLE_MACRO_NAMES:
        raise ContainerRefused(Fault.MACROS)


_FREE_OR_END = 0xFFFFFFFA  # sector numbers from here up are markers, not sectors


def _ole_names(source: IO[bytes]) -> Iterator[str]:
    header = source.read(512)
    if len(header) < 512 or not header.startswith(OLE_MAGIC):
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    sector_size = 1 << shift
    source.seek(0, 2)
    sectors = max(0, source.tell() // sector_size - 1)
    fat = _ole_fat(source, header, sector_size, sectors)
    sector = struct.unpack_from("<I", header, 0x30)[0]
    for _step in range(sectors):
        if sector >= _FREE_OR_END:
            return
        if sector >= len(fat) or sector >= sectors:
            raise ValueError("directory outside the file")
        data = _ole_sector(source, sector, sector_size)
        for offset in range(0, sector_size, 128):
            length = struct.unpack_from("<H", data, offset + 0x40)[0]
            if data[offset + 0x42] != 0 and 2 <= length <= 64:
                yield data[offset : offset + length - 2].decode("utf-16-le", "replace").lower()
        sector = fat[sector]
    raise ValueError("directory chain loops")


def _ole_sector(source: IO[bytes], number: int, sector_size: int) -> bytes:
    source.seek((number + 1) * sector_size)
    data = source.read(sector_size)
    if len(data) < sector_size:
        raise ValueError("truncated sector")
    return data


def _ole_fat(source: IO[bytes], header: bytes, sector_size: int, sectors: int) -> list[int]:
    """The file allocation table, from the header's and the chained DIFAT sectors' lists."""
    count = struct.unpack_from("<I", header, 0x2C)[0]
    if count > sectors:
        raise ValueError("more FAT sectors than the file holds")
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    difat = struct.unpack_from("<I", header, 0x44)[0]
    per_sector = sector_size // 4
    while len(fat_sectors) < count and difat < _FREE_OR_END:
        if difat >= sectors:
            raise ValueError("DIFAT outside the file")
        entries = struct.unpack(f"<{per_sector}I", _ole_sector(source, difat, sector_size))
        fat_sectors.extend(entries[:-1])
        difat = entries[-1]
    fat: list[int] = []
    for number in fat_sectors[:count]:
        if number >= sectors:
            raise ValueError("FAT outside the file")
        fat.extend(struct.unpack(f"<{per_sector}I", _ole_sector(source, number, sector_size)))
    return fat
