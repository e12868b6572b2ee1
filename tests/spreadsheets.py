"""Opening the workbooks we write in a real spreadsheet program: LibreOffice Calc headless.

``make test`` installs it (libreoffice-calc-nogui). Each test process gets its own
LibreOffice profile, so that parallel workers never share (and lock) one; every call has
a timeout, so a hung conversion fails its test instead of the run.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 180  # seconds; the first call also creates the profile


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise AssertionError(
            "LibreOffice is missing: `make test` installs it (apt: libreoffice-calc-nogui)."
        )
    return found


@functools.cache
def _profile() -> Path:
    """This process's private LibreOffice profile, removed when the process ends."""
    root = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def convert(data: bytes, *, suffix: str = "xlsx", to: str = "pdf") -> bytes:
    """``data`` (a file of type ``suffix``) opened in LibreOffice and saved as ``to``
    ("pdf" prints every sheet as its print setup says; "xlsx" re-saves the workbook)."""
    with tempfile.TemporaryDirectory(prefix="lo-convert-") as work:
        source = Path(work) / f"in.{suffix}"
        source.write_bytes(data)
        out = Path(work) / "out"
        out.mkdir()
        result = subprocess.run(
            [
                _soffice(),
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"-env:UserInstallation={_profile().as_uri()}",
                "--convert-to",
                to,
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        converted = out / f"in.{to.split(':', 1)[0]}"
        assert converted.exists(), f"LibreOffice did not convert the file: {result.stderr}"
        return converted.read_bytes()


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF in reading order (poppler's pdftotext)."""
    with tempfile.TemporaryDirectory(prefix="pdf-text-") as work:
        path = Path(work) / "f.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=TIMEOUT,
        ).stdout


def printed_text(xlsx: bytes) -> str:
    """What a printed copy of the workbook reads, whitespace collapsed (wrapped lines and
    page breaks fall between words)."""
    return " ".join(pdf_text(convert(xlsx)).split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)
