"""The desk's demo: what `make run` shows the company and the expert."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.testing import sign_in_with_second_factor
from servicedesk.constants import RequestStatus
from servicedesk.models import Request

pytestmark = pytest.mark.django_db


def test_the_company_has_a_submitted_request_and_a_draft(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)  # again: nothing more

    requests = Request.objects.filter(applicant__identifier="10100123456").order_by("number")
    assert [(r.kind, r.status) for r in requests] == [
        ("egov_general", RequestStatus.SUBMITTED),
        ("security_general", RequestStatus.DRAFT),
    ]
    submitted = requests[0]
    assert submitted.attachments.count() == 1 and submitted.changes.count() == 1

    company = Client()
    company.force_login(User.objects.get(username="10100123456"))
    page = company.get("/desk/").content.decode()
    assert submitted.tracking_code in page and requests[1].tracking_code in page

    expert = Client()
    sign_in_with_second_factor(expert, User.objects.get(username="ito.expert"))
    queue = expert.get("/review/desk/").content.decode()
    assert submitted.tracking_code in queue and requests[1].tracking_code not in queue
