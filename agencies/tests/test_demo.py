"""The agencies' demo: what `make run` shows the expert and the agency admin."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.testing import sign_in_with_second_factor
from agencies.constants import ApplicationStatus, BroadcastStatus
from agencies.demo import PENDING_NATIONAL_ID
from agencies.models import Agency, AgencyApplication, Broadcast

pytestmark = pytest.mark.django_db


def test_the_demo_has_agencies_a_pending_application_and_an_agency_admin(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)  # again: nothing more

    assert Agency.objects.count() == 3
    tax = Agency.objects.get(national_id="14000123453")
    assert tax.sender is not None and tax.sender.number == "4040123"
    pending = AgencyApplication.objects.get(national_id=PENDING_NATIONAL_ID)
    assert pending.status == ApplicationStatus.PENDING
    assert AgencyApplication.objects.count() == 1

    expert = Client()
    sign_in_with_second_factor(expert, User.objects.get(username="ito.expert"))
    assert pending.tracking_code in expert.get("/review/agencies/").content.decode()

    admin = Client()
    sign_in_with_second_factor(admin, User.objects.get(username="ag0067891233"))
    page = admin.get("/agency/").content.decode()
    assert "سازمان امور مالیاتی کشور" in page and "۴۰۴۰۱۲۳" in page


def test_the_demo_crisis_notice_reaches_the_citizen_and_the_outbox(
    settings, django_capture_on_commit_callbacks
):
    """The lead's walk with `make run`: the demo agency's notice, confirmed by
    the demo expert, is a banner in the demo citizen's inbox and on /dev/outbox/."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    admin = Client()
    sign_in_with_second_factor(admin, User.objects.get(username="ag0067891233"))
    assert "/agency/broadcasts/" in admin.get("/agency/").content.decode()
    data = {"subject": "هشدار آب‌گرفتگی", "text": "از زیرگذرها دوری کنید.", "scope": "everyone"}
    counted = admin.post("/agency/broadcasts/", data).content.decode()
    assert 'data-testid="broadcast-count"' in counted
    admin.post("/agency/broadcasts/", data | {"counted_for": "*"})
    code = Broadcast.objects.get().code

    expert = Client()
    sign_in_with_second_factor(expert, User.objects.get(username="ito.expert"))
    assert code in expert.get("/review/broadcasts/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        expert.post(f"/review/broadcasts/{code}/confirm/")
    assert Broadcast.objects.get().status == BroadcastStatus.SENT

    citizen = Client()
    sign_in_with_second_factor(citizen, User.objects.get(username="0012345679"))
    inbox = citizen.get("/inbox/").content.decode()
    assert 'data-testid="urgent-banner"' in inbox and "هشدار آب‌گرفتگی" in inbox
    outbox = admin.get("/dev/outbox/").content.decode()
    assert "از زیرگذرها دوری کنید." in outbox
