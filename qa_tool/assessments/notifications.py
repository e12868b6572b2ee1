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


def _recipients(assessment: Assessment) -> list[str]:
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
    return sorted(
        set(people.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    )


def notify_status_change(*, assessment: Assessment, actor: Any = None, comment: str = "") -> int:
    """Tell the people concerned; return how many messages were sent."""
    recipients = _recipients(assessment)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
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
            return 0
        subject = subject % context
        path = reverse("assessments:score", args=[assessment.pk])
        body = [subject, "", _("Open it at: %(path)s") % {"path": settings.SITE_URL + path}]
        if comment:
            body += ["", _("Reviewer's comment:"), comment]
    message = "\n".join(body)
    sent = send_mass_mail(
        [(subject, message, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients],
        fail_silently=True,
    )
    logger.info("assessment %s %s: %s e-mail(s)", assessment.pk, assessment.status, sent)
    return sent
