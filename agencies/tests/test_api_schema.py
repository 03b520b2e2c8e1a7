"""Schemathesis against the API's own OpenAPI document, in process (WSGI):
generated requests — valid and not — to every operation, with a live key, never
get a server error, and every answer matches the status codes, content type and
schema the document declares."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencies.constants import ApiScope
from agencies.services import api_key_create

from .factories import AgencyFactory, agency_admin

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def bearer(db):
    agency = AgencyFactory()
    issued = api_key_create(
        actor=agency_admin(agency),
        agency=agency,
        name="schemathesis",
        scopes=list(ApiScope),
    )
    return f"Bearer {issued.secret}"


@pytest.fixture(autouse=True)
def _in_process(settings):
    """Attachments in memory, and the test's database connection kept open across
    the WSGI calls (as Django's test client does: a request's end would close it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_its_own_document(case, bearer):
    case.call_and_validate(
        headers={"Authorization": bearer},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
