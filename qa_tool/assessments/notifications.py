"""E-mail on submit, return and validate, sent after the transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from qa_tool.institutions.models import Role, UnitProgramme, User

from .models import Assessment, Status

logger = logging.getLogger(__name__)


def _recipients(assessment: Assessment) -> dict[str, list[str]]:
    """Each language and the addresses of the people who read it."""
    if assessment.status == Status.SUBMITTED:
        people = User.objects.filter(role=Role.REVIEWER)
    else:
        wanted = Q(role__in=[Role.OFFICER, Role.LEADER])
        if assessment.subject_id is not None:
            # The unit's contributors (directly, or through a programme of the course).
            units = [
                assessment.subject_id,
                *UnitProgramme.objects.filter(course_id=assessment.subject_id).values_list(
                    "programme_id", flat=True
                ),
            ]
            wanted |= Q(role=Role.CONTRIBUTOR, assignments__unit_id__in=units)
        people = User.objects.filter(wanted, institution_id=assessment.institution_id)
    by_language: dict[str, set[str]] = {}
    known = {code for code, _name in settings.LANGUAGES}
    for email, language in (
        people.filter(is_active=True).exclude(email="").values_list("email", "language")
    ):
        language = language if language in known else settings.LANGUAGE_CODE
        by_language.setdefault(language, set()).add(email)
    return {language: sorted(emails) for language, emails in sorted(by_language.items())}


def _message(*, assessment: Assessment, language: str, comment: str) -> tuple[str, str] | None:
    """The subject and body in ``language``, or None for a status that sends nothing."""
    with translation.override(language):
        context = {
            "institution": assessment.institution.name,
            "rubric": str(assessment.rubric_version),
            "cycle": assessment.cycle.name,
        }
        subject = {
            Status.SUBMITTED: _(
                "Submitted for review: %(institution)s, %(rubric)s, cycle %(cycle)s"
            ),
            Status.RETURNED: _(
                "Returned for changes: %(institution)s, %(rubric)s, cycle %(cycle)s"
            ),
            Status.VALIDATED: _("Validated: %(institution)s, %(rubric)s, cycle %(cycle)s"),
        }.get(assessment.status)
        if subject is None:
            return None
        subject = subject % context
        path = reverse("assessments:score", args=[assessment.pk])
        body = [subject, "", _("Open it at: %(path)s") % {"path": settings.SITE_URL + path}]
        if comment:
            body += ["", _("Reviewer's comment:"), comment]
    return subject, "\n".join(body)


def notify_status_change(*, assessment: Assessment, actor: Any = None, comment: str = "") -> int:
    """Tell the people concerned, each in their own language (one message composed per
    language); return how many messages were sent."""
    datatuple = []
    for language, recipients in _recipients(assessment).items():
        message = _message(assessment=assessment, language=language, comment=comment)
        if message is None:
            return 0
        subject, body = message
        datatuple += [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    if not datatuple:
        return 0
    sent = send_mass_mail(datatuple, fail_silently=True)
    logger.info("assessment %s %s: %s e-mail(s)", assessment.pk, assessment.status, sent)
    return sent
