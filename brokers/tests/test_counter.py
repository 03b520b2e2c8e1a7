"""The clerk's workspace (/broker/): find the person, the letters the delegation
allows, view, print the PDF with the office's note, hand over. Every view and
print is an access record the owner sees with office, clerk and time; every
print is an SMS to the owner and a fee of the tariff in force."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import ALI_MOBILE
from brokers.constants import DelegationScope, OfficeEventKind
from brokers.models import OfficeEvent, PrintTariff
from brokers.services import print_footer
from mailbox.constants import AccessAction, ReaderRole
from mailbox.models import AccessRecord, Delivery
from mailbox.pdf import letter_html
from sms.models import OutboundSMS

from .conftest import make_delegation, signed_in

pytestmark = pytest.mark.django_db


def test_finding_a_person_leads_to_the_live_delegation(clerk_client, delegation, ali):
    response = clerk_client.post(reverse("brokers:workspace"), {"national_code": ali.username})

    assert response["Location"] == reverse("brokers:delegation", args=[delegation.pk])


def test_finding_someone_without_a_delegation_says_the_same_for_anyone(clerk_client, ali):
    unknown = clerk_client.post(reverse("brokers:workspace"), {"national_code": "0078901235"})
    known = clerk_client.post(reverse("brokers:workspace"), {"national_code": ali.username})

    for page in (unknown, known):
        assert page.status_code == 200
        assert 'data-testid="not-found"' in page.content.decode()


def test_the_delegation_lists_only_the_letters_it_covers(clerk, office, ali, letters):
    only_one = make_delegation(
        office=office,
        owner=ali,
        clerk=clerk,
        letters="codes",
        tracking_codes=[letters[1].tracking_code],
    )

    page = signed_in(clerk).get(reverse("brokers:delegation", args=[only_one.pk])).content.decode()

    assert letters[1].tracking_code in page and letters[0].tracking_code not in page


def test_by_agency_covers_only_that_agencys_letters(clerk, office, ali, letters, tax):
    by_agency = make_delegation(office=office, owner=ali, clerk=clerk, letters="agencies")
    by_agency.agencies.set([tax])
    client = signed_in(clerk)

    assert (
        client.get(
            reverse("brokers:letter", args=[by_agency.pk, letters[0].tracking_code])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("brokers:letter", args=[by_agency.pk, letters[1].tracking_code])
        ).status_code
        == 404
    )


def test_a_view_is_recorded_for_the_owner_with_office_clerk_and_time(
    clerk, delegation, letters, ali
):
    signed_in(clerk).get(reverse("brokers:letter", args=[delegation.pk, letters[0].tracking_code]))

    record = AccessRecord.objects.get()
    assert record.user == clerk and record.acting_as == ReaderRole.BROKER_CLERK
    assert record.action == AccessAction.VIEW and delegation.office.name in record.place
    delivery = Delivery.objects.get(letter=letters[0])
    assert delivery.first_read_by == ReaderRole.BROKER_CLERK
    owner = Client()
    owner.force_login(ali)
    page = owner.get(reverse("mailbox:access_log")).content.decode()
    assert clerk.display_name in page and delegation.office.name in page


def test_printing_gives_the_pdf_with_the_offices_note_and_tells_the_owner(
    clerk, delegation, letters, django_capture_on_commit_callbacks
):
    PrintTariff.objects.create(fee_rials=50_000, decision="مصوبه‌ی آزمایشی")
    client = signed_in(clerk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("brokers:letter_pdf", args=[delegation.pk, letters[0].tracking_code])
        )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    record = AccessRecord.objects.get(action=AccessAction.PRINT)
    assert record.user == clerk and delegation.office.name in record.place
    printed = OfficeEvent.objects.get(kind=OfficeEventKind.PRINT)
    assert printed.fee_rials == 50_000
    sms = OutboundSMS.objects.get(recipient=ALI_MOBILE, body__contains=letters[0].tracking_code)
    assert delegation.office.name in sms.body


def test_the_pdf_footer_names_office_clerk_and_jalali_time(clerk, delegation, letters):
    delivery = Delivery.objects.get(letter=letters[0])
    footer = print_footer(office=delegation.office, clerk=clerk)

    html = letter_html(delivery=delivery, verify_url="https://payam.example/verify/", footer=footer)

    assert delegation.office.name in footer and clerk.display_name in footer and "ساعت" in footer
    assert footer in html


def test_a_view_only_delegation_cannot_print_or_hand_over(clerk, office, ali, letters):
    view_only = make_delegation(office=office, owner=ali, clerk=clerk, scope=DelegationScope.VIEW)
    client = signed_in(clerk)
    args = [view_only.pk, letters[0].tracking_code]

    assert client.get(reverse("brokers:letter", args=args)).status_code == 200
    assert client.get(reverse("brokers:letter_pdf", args=args)).status_code == 404
    assert client.post(reverse("brokers:letter_hand_over", args=args)).status_code == 404
    assert not AccessRecord.objects.filter(action=AccessAction.PRINT).exists()


def test_handing_over_is_recorded(clerk, delegation, letters):
    client = signed_in(clerk)
    args = [delegation.pk, letters[0].tracking_code]

    response = client.post(reverse("brokers:letter_hand_over", args=args))

    assert response.status_code == 302
    assert OfficeEvent.objects.filter(kind=OfficeEventKind.HANDOVER, clerk=clerk).count() == 1
    assert "تحویل شد" in client.get(reverse("brokers:letter", args=args)).content.decode()
