"""The API's Idempotency-Key under real concurrency (PostgreSQL): fifty
requests with one key at the same moment make one letter, and every one of
them gets the first answer."""

import json
import os
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.tests.factories import ALI, MARYAM
from agencies.constants import ApiScope
from agencies.models import ApiIdempotencyKey, Campaign
from agencies.services import api_key_create

from .factories import AgencyFactory, agency_admin

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(settings):
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("DATABASE_URL must name PostgreSQL")
        pytest.skip("DATABASE_URL must name PostgreSQL")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_fifty_concurrent_requests_with_one_idempotency_key_make_one_letter():
    agency = AgencyFactory()
    secret = api_key_create(
        actor=agency_admin(agency), agency=agency, name="x", scopes=[ApiScope.LETTERS_SEND]
    ).secret
    body = json.dumps({"recipients": [ALI, MARYAM], "subject": "سلام", "body": "متن"})
    start = threading.Barrier(50)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            start.wait()
            response = Client().post(
                "/api/v1/letters",
                data=body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                HTTP_IDEMPOTENCY_KEY="invoice-2026-0001",
            )
            with lock:
                answers.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == 50
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1  # the first answer, replayed
    assert Campaign.objects.count() == 1 and ApiIdempotencyKey.objects.count() == 1


def _plan(queryset) -> str:
    """The plan PostgreSQL would take with sequential scans ruled out: which index
    (if any) can serve the query's filter and order."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_feeds_and_the_recipients_page_on_postgresql_with_ties_and_their_indexes():
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.tests.factories import AliFactory, MaryamFactory
    from agencies.selectors_api import received_page, recipients_page
    from mailbox.models import Delivery
    from mailbox.services import letter_write
    from mailbox.tests.conftest import activate, fresh

    agency = AgencyFactory()
    admin = agency_admin(agency)
    secret = api_key_create(actor=admin, agency=agency, name="x", scopes=list(ApiScope)).secret
    ali, maryam = fresh(activate(AliFactory())), fresh(activate(MaryamFactory()))
    letters = [
        letter_write(actor=ali if i % 2 else maryam, to=agency.mailbox, subject=f"s{i}", text="t")
        for i in range(7)
    ]
    at = timezone.now() - timedelta(minutes=5)
    Delivery.objects.filter(letter__in=letters).update(delivered_at=at)  # all at one instant
    seen, cursor = [], None
    while True:
        response = Client().get(
            "/api/v1/incoming",
            {"limit": 3, **({"cursor": cursor} if cursor else {})},
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 200, response.content
        seen += [row["tracking_code"] for row in response.json()["results"]]
        cursor = response.json()["next_cursor"]
        if not response.json()["has_more"]:
            break
    assert seen == [letter.tracking_code for letter in letters]  # ties broken by id

    with transaction.atomic():
        page = received_page(agency=agency, kind="incoming", since=at, cursor=None, limit=3)
        assert len(page.items) == 3
        feed = Delivery.objects.filter(
            recipient_id=agency.mailbox_id, delivered_at__gte=at
        ).order_by("delivered_at", "pk")[:4]
        assert "delivery_inbox_idx" in _plan(feed)
        rows, _next = recipients_page(letter=letters[0], status="delivered", after=0, limit=10)
        assert len(rows) == 1
        recipients = Delivery.objects.filter(letter=letters[0], pk__gt=0).order_by("pk")[:11]
        assert "delivery_letter_id_idx" in _plan(recipients)


def _post(secret: str, recipients: list[str]) -> tuple[int, dict]:
    response = Client().post(
        "/api/v1/letters",
        data=json.dumps({"recipients": recipients, "subject": "سلام", "body": "متن"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    return response.status_code, response.json()


def test_a_campaign_being_sent_does_not_hold_its_agency(monkeypatch):
    """While campaign_send holds its campaign (a 100,000-recipient send holds it for
    seconds), the agency's next POST goes through: the send's lock is on the
    campaign's row alone, not on the agency, its mailbox or its composer, which every
    new campaign of the agency refers to (and confirms under a lock of its own).
    Locking the agency too made a POST and a send wait on each other across the
    audit chain's head: a deadlock, found by bench/api.py."""
    from agencies.services import campaigns

    agency = AgencyFactory()
    secret = api_key_create(
        actor=agency_admin(agency), agency=agency, name="x", scopes=[ApiScope.LETTERS_SEND]
    ).secret
    monkeypatch.setattr(campaigns, "_ring_send", lambda campaign_id: None)  # the worker is here
    status, first = _post(secret, [ALI])
    assert (status, first["status"]) == (201, "sending")
    sending = Campaign.objects.get(code=first["code"])

    inside, go_on = threading.Event(), threading.Event()
    real_letter_send = campaigns.letter_send

    def held_letter_send(**kwargs):
        inside.set()
        go_on.wait(timeout=30)
        return real_letter_send(**kwargs)

    monkeypatch.setattr(campaigns, "letter_send", held_letter_send)
    outcome: list[str] = []

    def worker() -> None:
        try:
            outcome.append(campaigns.campaign_send(campaign_id=sending.pk).status)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a lock wait fails the POST
        status, second = _post(secret, [MARYAM])
    finally:
        go_on.set()
        thread.join(timeout=60)
    assert (status, second["status"]) == (201, "sending")
    assert outcome == ["sent"]
