"""The issue's "Done when", on the demo data of `make run`, through the pages:
the demo clerk activates رضا کریمی's inbox on the spot, records a delegation for
the demo citizen, prints one of his letters and hands it over; the citizen sees
the print with office, clerk and time, has the SMS, revokes the delegation, and
the clerk's link is 404."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.constants import InboxStatus
from accounts.models import NaturalPerson, User
from accounts.tests.helpers import last_code
from brokers.models import BrokerOffice, Delegation
from mailbox.models import Delivery
from sms.models import OutboundSMS

from .conftest import scan_pdf, signed_in
from .test_delegations import expiry

pytestmark = pytest.mark.django_db


def test_the_demo_story(django_capture_on_commit_callbacks):
    call_command("seed_demo", allow_production=True)
    clerk = signed_in(User.objects.get(username="broker.clerk"))
    office = BrokerOffice.objects.get(code="11001")

    # رضا کریمی walks in, with no account.
    clerk.post(
        reverse("brokers:activate"),
        {
            "national_code": "0034567895",
            "birth_date_day": "11",
            "birth_date_month": "8",
            "birth_date_year": "1367",
        },
    )
    clerk.post(
        reverse("brokers:activate_check"),
        {"card_seen": "on", "face_matches": "on", "details_match": "on", "mobile": "09193456789"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(reverse("brokers:activate_code"), {"code": last_code()})
    assert NaturalPerson.objects.get(national_code="0034567895").inbox_status == InboxStatus.ACTIVE

    # علی رضایی asks in writing that the office may view and print his letters.
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(
            reverse("brokers:delegation_new"),
            {
                "national_code": "0012345679",
                "scope": "view_print",
                "letters": "all",
                "scan": scan_pdf(),
                **expiry(),
            },
        )
        delegation = Delegation.objects.get(owner__username="0012345679")
        clerk.post(
            reverse("brokers:delegation_confirm", args=[delegation.pk]), {"code": last_code()}
        )
    letter = (
        Delivery.objects.filter(recipient__owner__username="0012345679")
        .select_related("letter")
        .earliest("pk")
        .letter
    )
    pdf_url = reverse("brokers:letter_pdf", args=[delegation.pk, letter.tracking_code])
    with django_capture_on_commit_callbacks(execute=True):
        assert clerk.get(pdf_url).content.startswith(b"%PDF")
    clerk.post(reverse("brokers:letter_hand_over", args=[delegation.pk, letter.tracking_code]))

    ali = Client()
    ali.force_login(User.objects.get(username="0012345679"))
    access = ali.get(reverse("mailbox:access_log")).content.decode()
    assert office.name in access and "کامران صادقی" in access and "چاپ" in access
    assert OutboundSMS.objects.filter(
        recipient="+989121234567", body__contains=letter.tracking_code
    ).exists()

    ali.post(reverse("brokers:my_delegation_revoke", args=[delegation.pk]))

    assert clerk.get(pdf_url).status_code == 404
    assert (
        clerk.get(reverse("brokers:letter", args=[delegation.pk, letter.tracking_code])).status_code
        == 404
    )
