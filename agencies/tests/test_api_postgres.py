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
