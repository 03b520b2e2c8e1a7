"""The test settings' PostgreSQL backend (payam/testing/postgresql): the flush that ends
each test with a committing database deletes every row of every table, in one
transaction, instead of truncating them."""

import os

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from accounts.tests.factories import CitizenFactory
from agencies.tests.factories import AgencyFactory, agency_admin
from mailbox.services import mailbox_for_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("DATABASE_URL must name PostgreSQL")
        pytest.skip("DATABASE_URL must name PostgreSQL")


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return {table: count for table, count in counts.items() if count}


def test_the_flush_deletes_every_row_of_every_table():
    # Rows that point at each other: an agency, its mailbox, sender number and admin;
    # a citizen, his profile and mailbox; the content types and permissions.
    agency_admin(AgencyFactory())
    mailbox_for_user(user=CitizenFactory())
    filled = row_counts()
    for table in ("agencies_agency", "mailbox_mailbox", "accounts_user", "django_content_type"):
        assert table in filled, filled

    tables = connection.introspection.django_table_names(only_existing=True)
    statements = connection.ops.sql_flush(no_style(), tables)
    assert statements[0] == "SET CONSTRAINTS ALL DEFERRED;"
    assert len(statements) == 1 + len(tables)
    assert all(s.startswith("DELETE FROM ") for s in statements[1:]), statements

    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)

    assert row_counts() == {}


def test_a_flush_that_resets_sequences_or_cascades_is_djangos_truncate():
    tables = ["accounts_user", "mailbox_mailbox"]
    assert connection.ops.sql_flush(no_style(), tables, reset_sequences=True) == [
        'TRUNCATE "accounts_user", "mailbox_mailbox" RESTART IDENTITY;'
    ]
    assert connection.ops.sql_flush(no_style(), tables, allow_cascade=True) == [
        'TRUNCATE "accounts_user", "mailbox_mailbox" CASCADE;'
    ]
    assert connection.ops.sql_flush(no_style(), []) == []
