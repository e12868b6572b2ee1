"""Evidence files: recognise the type from the content, never from the name alone.

Allowed: PDF, PNG, JPEG, GIF, WebP, Office Open XML and OpenDocument files
without macros, legacy Office files without macro storages, and plain UTF-8 text
(including CSV). The file's extension must agree with what the content is. Containers
are checked by ``qa_tool.core.uploads``, the same check as the offline workbook's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from qa_tool.core.uploads import (
    OLE_MAGIC,
    ZIP_MAGIC,
    ContainerRefused,
    inspect_ole,
    inspect_zip,
    size_problem,
)


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
GIF = Kind("image/gif", (".gif",))
WEBP = Kind("image/webp", (".webp",))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
ODF = {
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
}
LEGACY_OFFICE = Kind("application/octet-stream", (".doc", ".xls", ".ppt"))
TEXT = Kind("text/plain", (".txt", ".csv", ".md"))

ACCEPTED_EXTENSIONS = sorted(
    {
        ext
        for kind in (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, LEGACY_OFFICE, TEXT)
        for ext in kind.extensions
    }
    | {ext for exts in ODF.values() for ext in exts}
)

_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def _zip_kind(upload: IO[bytes], size: int) -> Kind | None:
    """The document kind of a zip upload that passes the shared container checks, or None."""
    try:
        container = inspect_zip(upload, size=size)
    except ContainerRefused:
        return None
    if container.mimetype or container.has("mimetype"):
        odf = ODF.get(container.mimetype)
        return Kind(container.mimetype, odf) if odf else None
    if container.is_ooxml:
        for prefix, kind in _OOXML.items():
            if any(name.startswith(prefix) for name in container.names):
                return kind
    return None


def _legacy_kind(upload: IO[bytes]) -> Kind | None:
    try:
        inspect_ole(upload)
    except ContainerRefused:
        return None
    return LEGACY_OFFICE


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character may be cut at the end of the sample.
        return exc.start >= len(sample) - 3
    return True


def sniff(upload: IO[bytes], size: int) -> Kind | None:
    """The kind of an uploaded file, from its first bytes (and zip directory), or None."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind: Kind | None = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(ZIP_MAGIC):
        kind = _zip_kind(upload, size)
    elif head.startswith(OLE_MAGIC):
        kind = _legacy_kind(upload)
    elif head and _is_text(head):
        kind = TEXT
    return kind


def check_upload(
    name: str, upload: IO[bytes], size: int, max_bytes: int
) -> tuple[Kind | None, str]:
    """(kind, "") when acceptable, else (None, reason) in the uploader's language."""
    from django.utils.translation import gettext as _

    too_large = size_problem(size, max_bytes, name)
    if too_large:
        return None, too_large
    if size == 0:
        return None, _("%(name)s is empty.") % {"name": name}
    kind = sniff(upload, size)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or extension not in kind.extensions:
        return None, _(
            "%(name)s is not an accepted file type. Accepted: PDF, images (PNG, JPEG, GIF, "
            "WebP), office documents without macros (Word, Excel, PowerPoint, OpenDocument) "
            "and plain text."
        ) % {"name": name}
    return kind, ""


_url = URLValidator(schemes=["http", "https"])


def invalid_links(text: str) -> list[str]:
    """The lines of ``text`` that are not http(s) URLs."""
    bad = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            _url(line)
        except ValidationError:
            bad.append(line)
    return bad
