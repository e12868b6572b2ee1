"""Time-based one-time codes (django-otp's TOTP devices): one device per person."""

from __future__ import annotations

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from qa_tool.institutions.models import Role

DEVICE_NAME = "authenticator"


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def must_set_up_two_factor(user) -> bool:
    if not settings.QA_REQUIRE_2FA_STAFF:
        return False
    is_staff_role = user.role in (Role.REVIEWER, Role.ADMIN) or user.is_staff or user.is_superuser
    return is_staff_role and not has_confirmed_device(user)


def qr_svg(uri: str) -> str:
    """The otpauth address as an inline SVG: drawn here, so the secret never leaves the
    server for a QR service, and without a <style> element, which the CSP would block."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", border=4, omitsize=True
    )


def _clean(token: str) -> str:
    return "".join(token.split())


@transaction.atomic
def totp_setup_start(*, user) -> TOTPDevice:
    """A fresh secret for the person to scan; it protects nothing until confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_setup_confirm(*, user, token: str) -> TOTPDevice | None:
    """Confirms the pending device with a code from it, replacing any older device."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None or not device.verify_token(_clean(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


@transaction.atomic
def totp_verify(*, user, token: str) -> TOTPDevice | None:
    """The device a code came from, or None. Each check counts towards django-otp's
    throttle and a used code cannot be used again, so this writes."""
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(_clean(token)):
            return device
    return None


@transaction.atomic
def totp_disable(*, user, token: str) -> bool:
    """Turns two-factor off, only with a valid code: a session left open on a shared
    computer must not be enough."""
    if totp_verify(user=user, token=token) is None:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True
