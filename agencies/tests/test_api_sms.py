"""The agencies' API, SMS (scope sms:send): `POST /api/v1/sms` through the
panel's own service from the agency's own sender under 4040 only, with its
checks and the Idempotency-Key of `POST /letters`; `GET /api/v1/sms/{id}` with
the delivery status; 403 without the scope, 404 for another agency's id."""

import pytest
from django.utils import timezone

from accounts.models import RoleGrant
from accounts.services import role_revoke
from agencies.constants import ApiScope
from agencies.models import ApiIdempotencyKey
from agencies.services import api_key_create
from payam.models import AuditEvent
from sms.constants import SmsKind, SmsStatus
from sms.models import OutboundSMS
from sms.services import delivery_report_apply

from .factories import AgencyFactory, agency_admin
from .test_api import call, error_of

pytestmark = pytest.mark.django_db

TEXT = "قبض آبان صادر شد."


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040556")


@pytest.fixture
def admin(agency):
    return agency_admin(agency)


@pytest.fixture
def secret(agency, admin):
    return api_key_create(actor=admin, agency=agency, name="پیامک", scopes=list(ApiScope)).secret


def sms(secret, body, **headers):
    return call("post", "/api/v1/sms", secret, body, **headers)


def test_one_mobile_goes_from_the_agencys_own_sender_and_its_status_follows_it(
    agency, admin, secret, django_capture_on_commit_callbacks
):
    other = AgencyFactory(name="دستگاه دیگر", sender__number="4040999")
    with django_capture_on_commit_callbacks(execute=True):
        # A sender the request names is no field of the API: ignored, never used.
        response = sms(secret, {"to": ["۰۹۱۲۱۲۳۴۵۶۷"], "text": TEXT, "sender": "4040999"})
    assert response.status_code == 201, response.content
    data = response.json()
    row = OutboundSMS.objects.get()
    assert data == {
        "sender": "4040556",
        "count": 1,
        "parts": 1,
        "batch_id": None,
        "messages": [{"id": row.pk, "to": "+989121234567"}],
    }
    assert row.sender_id == agency.sender_id != other.sender_id
    assert row.kind == SmsKind.NOTIFICATION and row.body == TEXT
    audit = AuditEvent.objects.get(action="agency.api_sms_send")
    assert audit.actor_id == admin.pk and audit.data["key"] == secret[:12]
    assert AuditEvent.objects.filter(action="agency.sms_send").exists()  # the panel's own

    status = call("get", f"/api/v1/sms/{row.pk}", secret).json()
    assert status["status"] == "sent" and status["sent_at"]  # the console gateway took it
    assert status["delivered_at"] is None and status["done_at"] is None
    assert status["to"] == "+989121234567" and status["sender"] == "4040556"
    delivery_report_apply(
        gateway=row.gateway or "console",
        event_id="r1",
        sms_id=row.pk,
        status=SmsStatus.DELIVERED,
        at=timezone.now(),
    )
    status = call("get", f"/api/v1/sms/{row.pk}", secret).json()
    assert status["status"] == "delivered" and status["delivered_at"] == status["done_at"]
    assert status["delivered_at"] is not None


def test_a_list_goes_as_one_batch_each_mobile_once_with_its_id_in_order(agency, secret):
    to = ["09351234567", "09121234567", "+989351234567"]
    response = sms(secret, {"to": to, "text": TEXT})
    assert response.status_code == 201
    data = response.json()
    assert data["count"] == 2 and data["batch_id"]
    rows = {r.recipient: r for r in OutboundSMS.objects.all()}
    assert [m["to"] for m in data["messages"]] == ["+989351234567", "+989121234567"]
    assert [m["id"] for m in data["messages"]] == [
        rows["+989351234567"].pk,
        rows["+989121234567"].pk,
    ]
    assert {r.kind for r in rows.values()} == {SmsKind.BULK}
    assert {str(r.batch_id) for r in rows.values()} == {data["batch_id"]}
    for message in data["messages"]:
        status = call("get", f"/api/v1/sms/{message['id']}", secret)
        assert status.status_code == 200 and status.json()["status"] == "queued"


def test_bad_mobiles_and_text_are_422_and_nothing_is_queued(agency, secret):
    response = sms(secret, {"to": ["09121234567", "12345", "09121234567"], "text": TEXT})
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "invalid_recipients"
    assert [(d["position"], d["value"], d["field"]) for d in error["details"]] == [
        (2, "12345", "to")
    ]
    response = sms(secret, {"to": ["09121234567"], "text": "   "})
    assert response.status_code == 422 and error_of(response)["code"] == "sms_refused"
    response = sms(secret, {"to": ["09121234567"], "text": "ب" * 700})
    assert response.status_code == 422 and error_of(response)["code"] == "sms_refused"
    response = sms(secret, {"to": [], "text": TEXT})
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"
    agency.sender.is_active = False
    agency.sender.save()
    response = sms(secret, {"to": ["09121234567"], "text": TEXT})
    assert response.status_code == 422 and error_of(response)["code"] == "no_sender"
    assert not OutboundSMS.objects.exists()


def test_idempotency_key_replays_the_first_answer_and_another_body_is_409(agency, secret):
    body = {"to": ["09121234567", "09351234567"], "text": TEXT}
    first = sms(secret, body, HTTP_IDEMPOTENCY_KEY="sms-1")
    again = sms(secret, body, HTTP_IDEMPOTENCY_KEY="sms-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again["Idempotent-Replayed"] == "true"
    assert OutboundSMS.objects.count() == 2 and ApiIdempotencyKey.objects.count() == 1
    other = sms(secret, {**body, "text": "دیگر"}, HTTP_IDEMPOTENCY_KEY="sms-1")
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
    bad = sms(secret, {"to": ["1"], "text": TEXT}, HTTP_IDEMPOTENCY_KEY="sms-2")
    assert bad.status_code == 422 and ApiIdempotencyKey.objects.count() == 1
    assert sms(secret, body, HTTP_IDEMPOTENCY_KEY="sms-2").status_code == 201
    assert OutboundSMS.objects.count() == 4


def test_scope_another_agency_and_a_creator_who_left(agency, admin, secret):
    letters = api_key_create(
        actor=admin,
        agency=agency,
        name="نامه",
        scopes=[ApiScope.LETTERS_SEND, ApiScope.LETTERS_READ, ApiScope.REPLIES_READ],
    ).secret
    response = sms(letters, {"to": ["09121234567"], "text": TEXT})
    assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    sms_id = sms(secret, {"to": ["09121234567"], "text": TEXT}).json()["messages"][0]["id"]
    response = call("get", f"/api/v1/sms/{sms_id}", letters)
    assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    other = AgencyFactory(name="دستگاه دیگر", sender__number="4040999")
    other_secret = api_key_create(
        actor=agency_admin(other), agency=other, name="x", scopes=list(ApiScope)
    ).secret
    for path in (f"/api/v1/sms/{sms_id}", "/api/v1/sms/999999"):
        response = call("get", path, other_secret)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert call("get", "/api/v1/sms/0", secret).status_code == 422
    agency_admin(agency)  # the agency keeps an admin
    grant = RoleGrant.objects.get(user=admin, revoked_at__isnull=True)
    assert grant.granted_by is not None
    role_revoke(actor=grant.granted_by, grant=grant)
    response = sms(secret, {"to": ["09121234567"], "text": TEXT})
    assert response.status_code == 403 and error_of(response)["code"] == "creator_not_allowed"
    assert OutboundSMS.objects.count() == 1
