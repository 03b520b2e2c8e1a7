"""List pages read in a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import ALI
from brokers.constants import OfficeEventKind
from brokers.services.common import event_record
from mailbox.constants import LetterCategory
from mailbox.services import letter_send

from .conftest import make_delegation, signed_in

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    """The queries of a second visit (the first also notes the session's "last seen")."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_letters(admin, tax, count):
    for n in range(count):
        letter_send(
            actor=admin,
            sender=tax,
            recipients=[ALI],
            subject=f"نامه‌ی {n}",
            body="<p>متن</p>",
            category=LetterCategory.NOTICE,
        )


def test_the_delegations_letters(clerk, delegation, admin, tax):
    client = signed_in(clerk)
    url = reverse("brokers:delegation", args=[delegation.pk])
    few = queries(client, url)

    more_letters(admin, tax, 5)

    assert queries(client, url) == few


def test_the_report(clerk, office, manager):
    client = signed_in(manager)
    url = reverse("brokers:reports")
    event_record(office=office, clerk=clerk, kind=OfficeEventKind.PRINT)
    few = queries(client, url)

    for _ in range(5):
        event_record(office=office, clerk=manager, kind=OfficeEventKind.HANDOVER)

    assert queries(client, url) == few


def test_a_persons_delegations(ali, office, clerk, tax, letters):
    from django.test import Client

    client = Client()
    client.force_login(ali)
    url = reverse("brokers:my_delegations")
    make_delegation(office=office, owner=ali, clerk=clerk)
    few = queries(client, url)

    for _ in range(4):
        make_delegation(office=office, owner=ali, clerk=clerk, letters="agencies").agencies.set(
            [tax]
        )

    assert queries(client, url) == few
