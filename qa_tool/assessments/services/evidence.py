"""Evidence files: attach and remove, in private storage, with the audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ..audit import WEB, Action, record
from ..evidence import check_upload
from ..models import Assessment, Evidence
from .answers import text_problem
from .errors import AssessmentError

NAME_MAX = Evidence._meta.get_field("original_name").max_length or 255


def evidence_add(
    *,
    assessment: Assessment,
    criterion_code: str,
    upload: Any,
    actor: Any = None,
    source: str = WEB,
) -> Evidence:
    """Attach an uploaded file to a criterion, or raise AssessmentError with the reason."""
    if not assessment.is_editable:
        raise AssessmentError([_("This assessment cannot be changed.")])
    criterion = assessment.rubric_version.criteria.filter(code=criterion_code).first()
    if criterion is None:
        raise AssessmentError(
            [_("%(code)s: no such criterion in this rubric") % {"code": criterion_code}]
        )
    name = Path(upload.name or "file").name
    # A cut name would lose its extension, and a NUL cannot be stored: refuse, do not mend.
    if found := text_problem(_("The file name"), name, NAME_MAX, ""):
        raise AssessmentError([found])
    kind, reason = check_upload(name, upload, upload.size, settings.EVIDENCE_MAX_BYTES)
    if kind is None:
        raise AssessmentError([reason])
    with transaction.atomic():
        evidence = Evidence(
            assessment=assessment,
            criterion=criterion,
            original_name=name,
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        evidence.file.save(name, upload, save=False)
        try:
            evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise
        record(
            Action.EVIDENCE,
            assessment=assessment,
            actor=actor,
            source=source,
            criterion=criterion.code,
            field="file",
            after=name,
        )
    return evidence


def evidence_remove(*, evidence: Evidence, actor: Any = None, source: str = WEB) -> None:
    assessment = evidence.assessment
    if not assessment.is_editable:
        raise AssessmentError([_("This assessment cannot be changed.")])
    with transaction.atomic():
        record(
            Action.EVIDENCE,
            assessment=assessment,
            actor=actor,
            source=source,
            criterion=evidence.criterion.code,
            field="file",
            before=evidence.original_name,
        )
        stored = evidence.file.name
        storage = evidence.file.storage
        evidence.delete()
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(stored))
