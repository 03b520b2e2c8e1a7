"""bench/seed_scale.py at a tiny scale (2,000 mailboxes, 10,000 deliveries) in the
test database, so the national-scale benchmark does not rot as the models change.
Everything it does — dropping the keys and indexes, COPY, rebuilding them from
the catalog, ANALYZE — happens inside the test's transaction and is rolled back."""

import os

import pytest
from django.db import connection

from accounts.models import User
from bench.scale import target_code
from bench.seed_scale import LOADED_TABLES, Scale, national_code, read_schema, seed
from mailbox import selectors
from mailbox.models import Delivery, Letter, Mailbox
from payam.identifiers import is_valid_legal_id, is_valid_national_code

pytestmark = pytest.mark.django_db

TINY = Scale(mailboxes=2_000, deliveries=10_000)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("DATABASE_URL must name PostgreSQL (REQUIRE_SERVICES=1)")
        pytest.skip("seed_scale loads PostgreSQL with COPY")


def test_a_tiny_country_is_seeded_and_the_schema_rebuilt_exactly(postgres):
    with connection.cursor() as cursor:
        before = read_schema(cursor, LOADED_TABLES).fingerprint
    result = seed(TINY, vacuum=False)  # raises if the rebuilt schema differs
    with connection.cursor() as cursor:
        assert read_schema(cursor, LOADED_TABLES).fingerprint == before
    assert result["checks"]["deliveries"] == Delivery.objects.count() == 10_000
    people = Mailbox.objects.exclude(kind="agency")
    assert people.count() == 2_000 and Mailbox.objects.filter(kind="agency").count() == 50
    assert Letter.objects.count() == result["scale"]["letters"] == 1_000
    assert result["copy_rows_per_s"] > 0 and result["rebuilt"]
    per_mailbox = result["checks"]["letters_per_person_mailbox"]
    assert 2 <= per_mailbox["p50"] <= 10  # most people have a few letters

    # Identifiers pass the same checks as a registration's.
    for kind, identifier in people.values_list("kind", "identifier")[:300]:
        valid = is_valid_national_code if kind == "natural" else is_valid_legal_id
        assert valid(identifier), identifier

    # The target reads 500 letters through the real selectors.
    user = User.objects.get(username=target_code())
    assert selectors.inbox_access(user=user).may_read
    page = selectors.inbox(user=user, archived=None, limit=100)
    assert len(page.items) == 100 and page.next_cursor
    mine = Delivery.objects.filter(recipient__owner=user)
    assert mine.count() == mine.values("letter").distinct().count() == 500
    assert selectors.unread_count(user=user) == result["checks"]["target_unread"]


def test_generated_national_codes_are_distinct_and_valid():
    codes = {national_code(k) for k in range(5_000)}
    assert len(codes) == 5_000 and all(is_valid_national_code(code) for code in codes)
    assert target_code() not in {national_code(k, avoid=target_code()) for k in range(5_000)}
