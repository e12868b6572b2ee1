"""Two-factor authentication with time-based codes (django-otp's TOTP devices)."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

# django-otp makes each wrong code delay the next try; these tests type fast.
no_throttle = override_settings(OTP_TOTP_THROTTLE_FACTOR=0)


def code(device, *, steps_ahead=0):
    """The code the person's app shows now (or a later step, as a code cannot be reused)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + steps_ahead * device.step
    return f"{generator.token():0{device.digits}d}"


def wrong_code(device):
    return f"{(int(code(device)) + 500_000) % 1_000_000:06d}"


@no_throttle
def test_set_up_confirm_and_stay_verified(client, officer):
    client.force_login(officer)
    url = reverse("accounts:two_factor")
    assert "Set up two-factor authentication" in client.get(url).content.decode()
    client.post(url, {"action": "start"})
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    page = client.get(url).content.decode()
    assert "otpauth://totp/OBTL%20QA%3Aofficer?secret=" in page
    assert "<svg" in page and "<style" not in page and "<script" not in page

    refused = client.post(url, {"action": "confirm", "otp_token": wrong_code(device)})
    assert "That code is not valid." in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(url, {"action": "confirm", "otp_token": code(device)}, follow=True)
    assert "Two-factor authentication is on." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    # The confirming code also verified this session: no second prompt.
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.fixture
def officer_device(officer):
    return TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)


@no_throttle
def test_log_in_asks_for_the_code_after_the_password(client, officer, officer_device):
    response = client.post(
        reverse("login"), {"username": "officer", "password": PASSWORD, "next": "/rubrics/"}
    )
    # The stock log-in view still signs in and follows next ...
    assert response.status_code == 302 and response["Location"] == "/rubrics/"
    # ... but every page then wants the code first.
    bounced = client.get("/rubrics/")
    assert bounced.status_code == 302
    verify = reverse("accounts:two_factor_verify")
    assert bounced["Location"] == f"{verify}?next=%2Frubrics%2F"
    assert client.get(reverse("dashboard"))["Location"].startswith(verify)

    refused = client.post(verify, {"otp_token": wrong_code(officer_device), "next": "/rubrics/"})
    assert refused.status_code == 200
    assert "That code is not valid." in refused.content.decode()
    assert client.get("/rubrics/").status_code == 302

    accepted = client.post(verify, {"otp_token": code(officer_device), "next": "/rubrics/"})
    assert accepted["Location"] == "/rubrics/"
    assert client.get("/rubrics/").status_code == 200


def test_verify_page_ignores_an_outside_next(client, officer, officer_device):
    client.force_login(officer)
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"otp_token": code(officer_device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("dashboard")


def test_a_used_code_cannot_be_replayed(client, officer, officer_device):
    client.force_login(officer)
    verify = reverse("accounts:two_factor_verify")
    token = code(officer_device)
    assert client.post(verify, {"otp_token": token}).status_code == 302
    other = type(client)()
    other.force_login(officer)
    assert other.post(verify, {"otp_token": token}).status_code == 200


@no_throttle
def test_turning_off_needs_a_valid_code(client, officer, officer_device):
    client.force_login(officer)
    client.post(reverse("accounts:two_factor_verify"), {"otp_token": code(officer_device)})
    url = reverse("accounts:two_factor")
    refused = client.post(url, {"action": "disable", "otp_token": wrong_code(officer_device)})
    assert "That code is not valid." in refused.content.decode()
    assert TOTPDevice.objects.filter(user=officer).exists()
    response = client.post(
        url, {"action": "disable", "otp_token": code(officer_device, steps_ahead=1)}, follow=True
    )
    assert "Two-factor authentication is off." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()


@override_settings(QA_REQUIRE_2FA_STAFF=True)
@pytest.mark.parametrize("persona", ["reviewer", "admin_user"])
def test_staff_are_sent_to_set_up_when_required(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    setup = reverse("accounts:two_factor")
    for url in (reverse("dashboard"), reverse("assessments:review_queue"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == setup
    page = client.get(setup).content.decode()
    assert "Your role requires two-factor authentication." in page
    client.post(setup, {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    client.post(setup, {"action": "confirm", "otp_token": code(device)})
    assert client.get(reverse("dashboard"), follow=True).status_code == 200


@override_settings(QA_REQUIRE_2FA_STAFF=True)
@pytest.mark.parametrize("persona", ["officer", "dean"])
def test_institution_people_are_not_forced(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dashboard")).status_code == 200


def test_staff_are_not_forced_by_default(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("dashboard")).status_code == 200
