"""Accounts without the Django admin: institutions, invitations, acceptance, deactivation,
password reset, the account log, and their scoping."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qa_tool.accounts.models import AccountEvent, Invitation, UserSession
from qa_tool.accounts.people import invitation_create, token_hash
from qa_tool.institutions.models import Institution, Role, User

from ..factories import PASSWORD

NEW_PASSWORD = "a-long-new-pass-7731"


def invite(client, institution, email="new@example.org", role=Role.LEADER, capture=None):
    with capture(execute=True):
        return client.post(
            reverse("accounts:institution_people", args=[institution.pk]),
            {"email": email, "role": role},
        )


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def accept_data(**overrides):
    data = {
        "first_name": "Nadia",
        "last_name": "Benali",
        "username": "nadia",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_officer_invites_a_colleague_who_accepts(
    client, officer, institution, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    response = invite(client, institution, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new@example.org"] and "Home University" in message.subject
    link = link_in(message)
    token = link.rsplit("/", 2)[-2]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    response = client.post("/" + path, accept_data())
    assert response.status_code == 302 and response.url == reverse("login")
    person = User.objects.get(username="nadia")
    assert (person.role, person.institution, person.email) == (
        Role.LEADER,
        institution,
        "new@example.org",
    )
    assert person.check_password(NEW_PASSWORD)
    kinds = list(AccountEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["invited", "accepted"]
    # The link works once.
    again = client.get("/" + path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.post("/" + path, accept_data(username="other")).status_code == 410
    assert User.objects.filter(username="other").count() == 0


def test_an_expired_link_is_refused(client, officer, institution):
    _invitation, token = invitation_create(
        email="late@example.org", role=Role.OFFICER, institution=institution, invited_by=officer
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()
    response = client.post(reverse("accounts:invitation_accept", args=[token]), accept_data())
    assert response.status_code == 410 and not User.objects.filter(username="nadia").exists()


def test_an_unknown_link_is_refused(client, db):
    assert client.get(reverse("accounts:invitation_accept", args=["nope"])).status_code == 410


def test_invitation_lasts_the_configured_days(settings, officer, institution):
    settings.QA_INVITATION_DAYS = 3
    invitation, _token = invitation_create(
        email="x@example.org", role=Role.OFFICER, institution=institution, invited_by=officer
    )
    assert timedelta(days=2, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=3)


def test_acceptance_applies_the_password_validators(client, officer, institution):
    _invitation, token = invitation_create(
        email="weak@example.org", role=Role.OFFICER, institution=institution, invited_by=officer
    )
    url = reverse("accounts:invitation_accept", args=[token])
    response = client.post(url, accept_data(password1="123", password2="123"))
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    response = client.post(url, accept_data(password2="something-else-22"))
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="nadia").exists()


def test_an_address_with_an_account_is_not_invited_again(client, officer, institution, dean):
    dean.email = "dean@example.org"
    dean.save()
    client.force_login(officer)
    response = client.post(
        reverse("accounts:institution_people", args=[institution.pk]),
        {"email": "DEAN@example.org", "role": Role.LEADER},
    )
    assert response.status_code == 200 and "already has an account" in response.content.decode()
    assert not Invitation.objects.exists()


def test_officers_cannot_invite_reviewers_or_administrators(client, officer, institution):
    client.force_login(officer)
    for role in (Role.REVIEWER, Role.ADMIN):
        response = client.post(
            reverse("accounts:institution_people", args=[institution.pk]),
            {"email": "boss@example.org", "role": role},
        )
        assert response.status_code == 200 and response.context["form"].errors["role"]
    assert not Invitation.objects.exists()


def test_people_pages_of_another_institution_are_404(client, outsider, officer, dean, institution):
    client.force_login(outsider)
    assert (
        client.get(reverse("accounts:institution_people", args=[institution.pk])).status_code == 404
    )
    response = client.post(reverse("accounts:person_deactivate", args=[institution.pk, dean.pk]))
    assert response.status_code == 404
    # Nor through the outsider's own institution with another institution's person.
    response = client.post(
        reverse("accounts:person_deactivate", args=[outsider.institution_id, dean.pk])
    )
    assert response.status_code == 404
    dean.refresh_from_db()
    assert dean.is_active


@pytest.mark.parametrize("persona", ["dean", "reviewer"])
def test_leaders_and_reviewers_do_not_manage_accounts(client, request, persona, institution):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(reverse("accounts:institution_people", args=[institution.pk])).status_code == 403
    )
    assert client.get(reverse("accounts:people")).status_code == 403


def test_officer_deactivates_a_colleague(client, officer, dean, institution):
    client.force_login(dean)
    assert UserSession.objects.filter(user=dean).exists()
    client.force_login(officer)
    page = client.get(reverse("accounts:institution_people", args=[institution.pk]))
    assert "dean" in page.content.decode()
    response = client.post(reverse("accounts:person_deactivate", args=[institution.pk, dean.pk]))
    assert response.status_code == 302
    dean.refresh_from_db()
    assert not dean.is_active
    event = AccountEvent.objects.get(kind="deactivated")
    assert (event.actor, event.subject, event.institution) == (officer, dean, institution)
    assert not UserSession.objects.filter(user=dean).exists()  # signed out everywhere
    log = client.get(reverse("accounts:institution_people", args=[institution.pk]))
    assert "deactivated" in log.content.decode()


def test_officer_cannot_deactivate_themselves(client, officer, institution):
    client.force_login(officer)
    client.post(reverse("accounts:person_deactivate", args=[institution.pk, officer.pk]))
    officer.refresh_from_db()
    assert officer.is_active and not AccountEvent.objects.exists()


def test_administrators_cannot_be_deactivated(officer, admin_user):
    from qa_tool.accounts.people import account_deactivate
    from qa_tool.core.refusals import Refusal

    with pytest.raises(Refusal):
        account_deactivate(user=admin_user, acting_user=officer)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_administrator_creates_an_institution_and_invites_its_first_officer(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    response = client.post(
        reverse("accounts:institution_new"),
        {
            "code": "SN-UCA",
            "name": "Université Cheikh Anta",
            "country": "SN",
            "region": "west-africa",
            "type": "public",
            "size_band": "large",
            "delivery_mode": "blended",
        },
    )
    institution = Institution.objects.get(code="SN-UCA")
    assert response.url == reverse("accounts:institution_people", args=[institution.pk])
    invite(
        client,
        institution,
        email="first@example.org",
        role=Role.OFFICER,
        capture=django_capture_on_commit_callbacks,
    )
    assert Invitation.objects.get().role == Role.OFFICER and len(mail.outbox) == 1


def test_only_administrators_create_institutions(client, officer, reviewer):
    for person in (officer, reviewer):
        client.force_login(person)
        assert client.get(reverse("accounts:institution_new")).status_code == 403
        assert client.get(reverse("accounts:institutions")).status_code == 403


def test_administrator_imports_institutions_from_csv(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    good = (
        b"code,name,country,region,type,size\nKE-A,Alpha University,KE,east-africa,public,small\n"
    )
    client.post(
        reverse("accounts:institutions_import"),
        {"file": SimpleUploadedFile("i.csv", good), "next": reverse("first_run")},
    )
    assert Institution.objects.filter(code="KE-A").exists()
    bad = b"code,name,country,region,type,size\nKE-B,Beta,Atlantis,east-africa,public,small\n"
    response = client.post(
        reverse("accounts:institutions_import"),
        {"file": SimpleUploadedFile("i.csv", bad)},
        follow=True,
    )
    assert "Atlantis" in response.content.decode()
    assert not Institution.objects.filter(code="KE-B").exists()


def test_password_reset_by_e_mail_in_the_persons_language(client, officer):
    officer.email = "officer@example.org"
    officer.language = "fr"
    officer.save()
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "officer@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["officer@example.org"]
    link = link_in(message)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.get(path, follow=True)
    assert confirm.status_code == 200 and confirm.context["validlink"]
    response = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    # The link works once.
    assert not client.get(path, follow=True).context["validlink"]


def test_password_reset_for_an_unknown_address_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mail.outbox


def test_the_account_log_is_not_shown_to_another_institution(
    client, officer, outsider, institution
):
    invitation_create(
        email="secret@example.org", role=Role.OFFICER, institution=institution, invited_by=officer
    )
    client.force_login(outsider)
    page = client.get(reverse("accounts:institution_people", args=[outsider.institution_id]))
    assert page.status_code == 200 and "secret@example.org" not in page.content.decode()


def test_administrators_see_every_institutions_account_log(
    client, admin_user, officer, institution
):
    invitation_create(
        email="seen@example.org", role=Role.LEADER, institution=institution, invited_by=officer
    )
    client.force_login(admin_user)
    page = client.get(reverse("accounts:institution_people", args=[institution.pk]))
    assert "seen@example.org" in page.content.decode()


def test_a_deactivated_person_cannot_sign_in(client, officer, dean):
    from qa_tool.accounts.people import account_deactivate

    account_deactivate(user=dean, acting_user=officer)
    client.post(reverse("login"), {"username": "dean", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_contributor_role_is_invitable_where_it_exists():
    from qa_tool.accounts.people import invitable_roles

    roles = invitable_roles()
    assert Role.OFFICER in roles and Role.LEADER in roles
    assert (getattr(Role, "CONTRIBUTOR", None) in roles) == hasattr(Role, "CONTRIBUTOR")
    assert Role.REVIEWER not in roles and Role.ADMIN not in roles


def test_the_invitation_e_mail_is_in_the_inviters_page_language(
    client, officer, institution, django_capture_on_commit_callbacks
):
    officer.language = "fr"
    officer.save()
    client.force_login(officer)
    invite(client, institution, capture=django_capture_on_commit_callbacks)
    assert Invitation.objects.get().language == "fr"


def test_the_reset_e_mail_is_rendered_in_the_persons_language(client, officer, monkeypatch):
    from django.core.mail import EmailMultiAlternatives
    from django.utils import translation

    officer.email = "officer@example.org"
    officer.language = "ar"
    officer.save()
    seen = []
    send = EmailMultiAlternatives.send

    def spy(message, *args, **kwargs):
        seen.append(translation.get_language())
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", spy)
    client.post(
        reverse("password_reset"), {"email": "officer@example.org"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert seen == ["ar"] and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("name", "method", "expected"),
    [
        ("accounts:institutions", "get", 403),
        ("accounts:institution_new", "get", 403),
        ("accounts:institutions_import", "post", 403),
        ("first_run", "get", 403),
        ("accounts:institution_people", "get", 404),
        ("accounts:person_deactivate", "post", 404),
    ],
)
def test_an_officer_of_another_institution_is_refused(
    client, outsider, dean, institution, name, method, expected
):
    args = {
        "accounts:institution_people": [institution.pk],
        "accounts:person_deactivate": [institution.pk, dean.pk],
    }.get(name, [])
    client.force_login(outsider)
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == expected
