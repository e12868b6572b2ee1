"""Accounts without the Django admin: institutions, invitations, acceptance, deactivation.

Every change is one atomic service with keyword-only arguments that writes an
``AccountEvent``; invitation e-mails go out after the transaction commits, in the
invitation's language.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qa_tool.core.refusals import Refusal
from qa_tool.institutions.models import Institution, Role, User

from .models import AccountEvent, Invitation, UserSession
from .services import user_session_end


def invitable_roles() -> list[Role]:
    """The roles of an institution's people, whom an officer or administrator may invite
    (with the contributor role where the installation has one)."""
    roles = [Role.OFFICER, Role.LEADER]
    contributor = getattr(Role, "CONTRIBUTOR", None)
    if contributor is not None:
        roles.append(contributor)
    return roles


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def institution_create(*, acting_user: Any, **fields: Any) -> Institution:
    """A new institution from the form's cleaned values (administrators)."""
    return Institution.objects.create(**fields)


def _send_invitation(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        context = {
            "institution": invitation.institution.name,
            "role": Role(invitation.role).label,
            "days": settings.QA_INVITATION_DAYS,
        }
        subject = _("Invitation to the OBTL quality self-assessment: %(institution)s") % context
        body = "\n".join(
            [
                _("You are invited to join %(institution)s as %(role)s.") % context,
                "",
                _("Choose your name and password at this address:"),
                link,
                "",
                _(
                    "The link works once and for %(days)s days. If you did not expect it, "
                    "ignore this message."
                )
                % context,
            ]
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def invitation_create(
    *, email: str, role: str, institution: Institution, invited_by: Any, language: str = ""
) -> tuple[Invitation, str]:
    """Invite one person; return the invitation and its token (only its hash is stored)."""
    email = email.strip()
    if role not in invitable_roles():
        raise Refusal([_("This role cannot be invited.")])
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise Refusal([_("%(email)s already has an account.") % {"email": email}])
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=token_hash(token),
        email=email,
        role=role,
        institution=institution,
        invited_by=invited_by,
        language=language if language in dict(settings.LANGUAGES) else "",
        expires_at=timezone.now() + timedelta(days=settings.QA_INVITATION_DAYS),
    )
    AccountEvent.objects.create(
        kind=AccountEvent.Kind.INVITED,
        institution=institution,
        actor=invited_by,
        email=email,
        role=role,
    )
    # robust: a mail server that is down is logged; the invitation stays (send another)
    transaction.on_commit(lambda: _send_invitation(invitation, token), robust=True)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("institution")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_refusal(invitation: Invitation | None) -> str | None:
    """Why this link can no longer be used, or None."""
    if invitation is None:
        return _("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Sign in, or reset your password.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask for a new one.")
    return None


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, username: str, first_name: str, last_name: str, password: str
) -> User:
    """Create the invited person's account; the link cannot be used again."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    refusal = invitation_refusal(invitation)
    if refusal:
        raise Refusal([refusal])
    if User.objects.filter(username__iexact=username).exists():
        raise Refusal([_("This user name is taken. Choose another.")])
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        role=invitation.role,
        institution=invitation.institution,
    )
    user.set_password(password)
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    AccountEvent.objects.create(
        kind=AccountEvent.Kind.ACCEPTED,
        institution=invitation.institution,
        actor=user,
        subject=user,
        email=user.email,
        role=user.role,
    )
    return user


def deactivation_refusal(*, user: User, acting_user: Any) -> str | None:
    if user.pk == acting_user.pk:
        return _("You cannot deactivate your own account.")
    if user.is_administrator:
        return _("Administrators' accounts cannot be deactivated here.")
    if not user.is_active:
        return _("This account is already deactivated.")
    return None


@transaction.atomic
def account_deactivate(*, user: User, acting_user: Any) -> None:
    """The person can no longer sign in; their signed-in sessions end at once."""
    refusal = deactivation_refusal(user=user, acting_user=acting_user)
    if refusal:
        raise Refusal([refusal])
    user.is_active = False
    user.save(update_fields=["is_active"])
    for row in UserSession.objects.filter(user=user):
        user_session_end(user_session=row)
    AccountEvent.objects.create(
        kind=AccountEvent.Kind.DEACTIVATED,
        institution_id=user.institution_id,
        actor=acting_user,
        subject=user,
        email=user.email,
        role=user.role,
    )
