"""Refuse oversized requests before their bytes reach memory or a temporary file.

Django's own size checks (the evidence and workbook limits) run in the view, after the
whole body has been read and spilled to disk; this handler runs first, while the body is
being parsed.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

TOO_LARGE_ATTRIBUTE = "qa_request_too_large"


def mark_too_large(request: HttpRequest | None) -> None:
    if request is not None:
        setattr(request, TOO_LARGE_ATTRIBUTE, True)


def is_too_large(request: HttpRequest) -> bool:
    return getattr(request, TOO_LARGE_ATTRIBUTE, False)


class RequestSizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes chunks on untouched until the request is
    over QA_MAX_REQUEST_BYTES, then stops the parse and flags the request so that
    RequestSizeLimitMiddleware answers 413."""

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict] | None:
        self.received = 0
        if content_length > settings.QA_MAX_REQUEST_BYTES:
            mark_too_large(self.request)
            # Answering here ends the parse: no field or file is read, nothing is written.
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # The declared length was within the limit; count what actually arrives in case
        # a client sends more than it declared.
        self.received += len(raw_data)
        if self.received > settings.QA_MAX_REQUEST_BYTES:
            mark_too_large(self.request)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
