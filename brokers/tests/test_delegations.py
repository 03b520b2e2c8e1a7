"""تفویض دسترسی (/broker/delegations/new/): the scanned written request checked by
content, scope, letters, expiry (30 days by default, a year at most), the
person's own code; the person sees and revokes it online."""

from datetime import timedelta

import jdatetime
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.constants import InboxStatus
from accounts.models import NaturalPerson, Role
from accounts.services import role_grant
from accounts.tests.factories import ALI_MOBILE
from accounts.tests.helpers import last_code
from brokers.constants import DelegationStatus, OfficeEventKind
from brokers.models import Delegation, OfficeEvent
from payam.models import AuditEvent
from sms.models import OutboundSMS

from .conftest import make_delegation, scan_pdf, signed_in

pytestmark = pytest.mark.django_db


def expiry(days=30):
    day = jdatetime.date.fromgregorian(date=timezone.localdate() + timedelta(days=days))
    return {
        "expires_on_day": str(day.day),
        "expires_on_month": str(day.month),
        "expires_on_year": str(day.year),
    }


def post_new(client, ali, *, scan=None, **fields):
    data = {
        "national_code": ali.username,
        "scope": "view_print",
        "letters": "all",
        "scan": scan if scan is not None else scan_pdf(),
        **expiry(),
        **fields,
    }
    return client.post(reverse("brokers:delegation_new"), data)


def test_a_delegation_is_recorded_then_confirmed_by_the_persons_code(
    clerk_client, clerk, ali, office, letters, django_capture_on_commit_callbacks
):
    response = post_new(clerk_client, ali)

    delegation = Delegation.objects.get()
    assert response["Location"] == reverse("brokers:delegation_confirm", args=[delegation.pk])
    assert delegation.status == DelegationStatus.PENDING and not delegation.is_live()
    # Not live until the person reads out the code: the clerk cannot use it alone.
    assert clerk_client.get(reverse("brokers:delegation", args=[delegation.pk])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            reverse("brokers:delegation_confirm", args=[delegation.pk]), {"code": last_code()}
        )

    delegation.refresh_from_db()
    assert response["Location"] == reverse("brokers:delegation", args=[delegation.pk])
    assert delegation.status == DelegationStatus.ACTIVE
    local_end = timezone.localtime(delegation.expires_at)
    assert local_end.date() == timezone.localdate() + timedelta(days=31)
    assert delegation.scan_content_type == "application/pdf"
    assert OutboundSMS.objects.filter(recipient=ALI_MOBILE, body__contains=office.name).exists()
    assert OfficeEvent.objects.filter(kind=OfficeEventKind.DELEGATION, clerk=clerk).count() == 1
    confirmed = AuditEvent.objects.get(action="delegation.active")
    assert confirmed.actor_id == clerk.pk and confirmed.acting_for_id == ali.pk


def test_the_form_proposes_thirty_days(clerk_client):
    page = clerk_client.get(reverse("brokers:delegation_new")).content.decode()
    day = jdatetime.date.fromgregorian(date=timezone.localdate() + timedelta(days=30))

    assert f'<option value="{day.year}" selected' in page


def test_more_than_a_year_is_refused(clerk_client, ali):
    response = post_new(clerk_client, ali, **expiry(366))

    assert "حداکثر یک سال" in response.content.decode()
    assert not Delegation.objects.exists()


@pytest.mark.parametrize(
    ("scan", "message"),
    [
        (SimpleUploadedFile("request.pdf", b"not really a pdf at all"), "پذیرفته نیست"),
        (SimpleUploadedFile("request.pdf", b""), ""),
    ],
)
def test_a_fake_or_empty_scan_is_refused(clerk_client, ali, scan, message):
    response = post_new(clerk_client, ali, scan=scan)

    assert response.status_code == 200
    assert "id_scan_error" in response.content.decode()
    assert message in response.content.decode()
    assert not Delegation.objects.exists()
    assert not OutboundSMS.objects.exists()


def test_a_missing_scan_is_refused(clerk_client, ali):
    data = {"national_code": ali.username, "scope": "view", "letters": "all", **expiry()}

    response = clerk_client.post(reverse("brokers:delegation_new"), data)

    assert "id_scan_error" in response.content.decode()
    assert not Delegation.objects.exists()


def test_letters_by_agency_need_an_agency(clerk_client, ali, tax):
    refused = post_new(clerk_client, ali, letters="agencies")
    assert "id_agencies_error" in refused.content.decode()

    post_new(clerk_client, ali, letters="agencies", agencies=[tax.pk])
    assert list(Delegation.objects.get().agencies.all()) == [tax]


def test_a_person_without_an_active_inbox_cannot_delegate(clerk_client, ali):
    NaturalPerson.objects.filter(user=ali).update(inbox_status=InboxStatus.REGISTERED)

    response = post_new(clerk_client, ali)

    assert "کارپوشه‌ی فعالی نیست" in response.content.decode()
    assert not Delegation.objects.exists()


def test_a_clerk_of_the_office_cannot_delegate_to_it(clerk_client, ali, admin, office):
    role_grant(actor=admin, user=ali, role=Role.BROKER_CLERK, organization=office)

    response = post_new(clerk_client, ali)

    assert "کارمند همین دفتر" in response.content.decode()
    assert not Delegation.objects.exists()


def test_a_wrong_code_leaves_it_pending(clerk_client, ali):
    post_new(clerk_client, ali)
    delegation = Delegation.objects.get()
    right = last_code()

    clerk_client.post(
        reverse("brokers:delegation_confirm", args=[delegation.pk]),
        {"code": "000000" if right != "000000" else "111111"},
    )

    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.PENDING


def test_the_person_sees_and_revokes_a_delegation_at_once(delegation, ali, clerk, letters):
    from django.test import Client

    owner = Client()
    owner.force_login(ali)
    page = owner.get(reverse("brokers:my_delegations")).content.decode()
    assert delegation.office.name in page and "وکالت" not in page.split("<main", 1)[-1]
    assert (
        reverse("brokers:my_delegations") in owner.get(reverse("accounts:profile")).content.decode()
    )
    clerk_client = signed_in(clerk)
    letter_url = reverse("brokers:letter", args=[delegation.pk, letters[0].tracking_code])
    assert clerk_client.get(letter_url).status_code == 200

    response = owner.post(reverse("brokers:my_delegation_revoke", args=[delegation.pk]))

    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.REVOKED and delegation.ended_by == ali
    assert clerk_client.get(letter_url).status_code == 404
    assert AuditEvent.objects.filter(action="delegation.revoked", actor_id=ali.pk).exists()


def test_an_expired_delegation_stops_at_the_next_request(delegation, clerk, letters):
    client = signed_in(clerk)
    url = reverse("brokers:letter", args=[delegation.pk, letters[0].tracking_code])
    assert client.get(url).status_code == 200

    Delegation.objects.filter(pk=delegation.pk).update(expires_at=timezone.now())

    assert client.get(url).status_code == 404


def test_the_clerk_can_abandon_an_unconfirmed_request(clerk_client, clerk, office, ali):
    pending = make_delegation(
        office=office, owner=ali, clerk=clerk, status=DelegationStatus.PENDING
    )

    clerk_client.post(reverse("brokers:delegation_abandon", args=[pending.pk]))

    pending.refresh_from_db()
    assert pending.status == DelegationStatus.ABANDONED


def test_a_code_that_cannot_be_sent_leaves_no_request_behind(clerk_client, ali):
    post_new(clerk_client, ali)

    response = post_new(clerk_client, ali)  # at once: the mobile's next code is not due yet

    assert "ثانیه‌ی دیگر" in response.content.decode()
    assert Delegation.objects.count() == 1


def test_the_home_page_calls_an_offices_permission_a_delegation_not_a_proxy(client):
    page = client.get("/").content.decode()
    card = page.split("payam-persona-broker", 1)[1].split("</article>", 1)[0]

    assert "تفویض دسترسی" in card and "وکالت" not in card
