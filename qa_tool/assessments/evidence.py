"""Evidence files: recognise the type from the content, never from the name alone.

Allowed: PDF, PNG, JPEG, GIF, WebP, Office Open XML and OpenDocument files
without macros, legacy Office files, and plain UTF-8 text (including CSV).
The file's extension must agree with what the content is.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator


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
# A zip whose uncompressed size is out of all proportion is refused unopened.
_MAX_ZIP_RATIO = 200


def _zip_kind(upload: IO[bytes], size: int) -> Kind | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > max(size, 1) * _MAX_ZIP_RATIO:
                return None
            names = {i.filename for i in infos}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return None  # macros
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype in ODF:
                    return Kind(mimetype, ODF[mimetype])
                return None
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


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
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload, size)
        upload.seek(0)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = LEGACY_OFFICE
    elif head and _is_text(head):
        kind = TEXT
    return kind


def check_upload(
    name: str, upload: IO[bytes], size: int, max_bytes: int
) -> tuple[Kind | None, str]:
    """(kind, "") when acceptable, else (None, reason) in the uploader's language."""
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    if size > max_bytes:
        return None, _("%(name)s is larger than the limit of %(limit)s.") % {
            "name": name,
            "limit": filesizeformat(max_bytes),
        }
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
