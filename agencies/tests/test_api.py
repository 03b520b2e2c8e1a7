"""The agencies' REST API (/api/v1/): keys and scopes, sending through the
campaign services, idempotency, reading status and recipients, the rate limit,
and the one error shape."""

import base64
import datetime
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import role_revoke
from accounts.tests.factories import ALI, MARYAM, AliFactory, MaryamFactory
from agencies.constants import ApiScope, CampaignSource, CampaignStatus
from agencies.models import ApiIdempotencyKey, ApiKey, Campaign
from agencies.services import api_key_create, api_key_revoke
from mailbox.models import Delivery, Letter
from mailbox.selectors import delivery_for
from mailbox.tests.conftest import activate, fresh, pdf
from payam.models import AuditEvent

from .factories import AgencyFactory, agency_admin, member

pytestmark = pytest.mark.django_db

ALL_SCOPES = [ApiScope.LETTERS_SEND, ApiScope.LETTERS_READ]


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040556")


@pytest.fixture
def admin(agency):
    return agency_admin(agency, first_name="نگار", last_name="صدری")


@pytest.fixture
def secret(agency, admin):
    return api_key_create(actor=admin, agency=agency, name="اتوماسیون", scopes=ALL_SCOPES).secret


@pytest.fixture
def citizens():
    return fresh(activate(AliFactory())), fresh(activate(MaryamFactory()))


def call(method, path, secret=None, body=None, **headers):
    client = Client()
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    data = json.dumps(body) if body is not None else None
    if method == "post":
        return client.post(path, data=data, content_type="application/json", **headers)
    return client.get(path, **headers)


def send(secret, body=None, **headers):
    body = body or {"recipients": [ALI, MARYAM], "subject": "سلام", "body": "متن نامه"}
    return call("post", "/api/v1/letters", secret, body, **headers)


def error_of(response):
    data = response.json()
    assert set(data) == {"error"}
    error = data["error"]
    assert error["code"] and error["message_fa"] and error["message_en"]
    return error


# --- keys -----------------------------------------------------------------------------------


def test_a_key_is_kept_as_its_prefix_and_hash_and_every_change_is_audited(agency, admin):
    issued = api_key_create(
        actor=admin, agency=agency, name="اتوماسیون", scopes=[ApiScope.LETTERS_READ]
    )
    key = ApiKey.objects.get()
    assert issued.secret.startswith(key.prefix + "_")
    assert issued.secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    api_key_revoke(actor=admin, agency=agency, key_id=key.pk)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "agency.api_key_create" in actions and "agency.api_key_revoke" in actions
    assert issued.secret not in json.dumps(list(AuditEvent.objects.values("data")))


def test_only_the_agencys_admin_makes_or_revokes_keys(agency, admin):
    from django.core.exceptions import PermissionDenied

    sender = member(agency, Role.AGENCY_SENDER)
    other_admin = agency_admin(AgencyFactory())
    for actor in (sender, other_admin, AliFactory()):
        with pytest.raises(PermissionDenied):
            api_key_create(actor=actor, agency=agency, name="x", scopes=ALL_SCOPES)
    key = api_key_create(actor=admin, agency=agency, name="x", scopes=ALL_SCOPES).key
    with pytest.raises(PermissionDenied):
        api_key_revoke(actor=other_admin, agency=agency, key_id=key.pk)


def test_unknown_revoked_expired_keys_are_401_and_a_missing_scope_is_403(agency, admin, secret):
    response = call("get", "/api/v1/letters/ABC", None)
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error_of(call("get", "/api/v1/letters/ABC", "pym_00000000_nope"))["code"] == (
        "invalid_key"
    )
    assert call("get", "/api/v1/letters/ABC", secret[:-1] + "x").status_code == 401
    reader = api_key_create(
        actor=admin, agency=agency, name="خواندن", scopes=[ApiScope.LETTERS_READ]
    ).secret
    response = send(reader)
    assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    key = ApiKey.objects.get(prefix=secret[:12])
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = send(secret)
    assert response.status_code == 401 and error_of(response)["code"] == "key_expired"
    api_key_revoke(actor=admin, agency=agency, key_id=key.pk)
    response = send(secret)
    assert response.status_code == 401 and error_of(response)["code"] == "key_revoked"
    assert not Campaign.objects.exists()


# --- sending ----------------------------------------------------------------------------------


def test_a_letter_sent_through_the_api_reaches_each_recipient_with_their_values(
    agency, admin, secret, citizens, django_capture_on_commit_callbacks
):
    ali, maryam = citizens
    body = {
        "recipients": [
            {"recipient": ALI, "values": {"name": "علی", "amount": "۱۲۰۰"}},
            {"recipient": MARYAM, "values": {"name": "مریم", "amount": "3400"}},
        ],
        "subject": "قبض {name}",
        "body": "{name} عزیز،\nبدهی شما {amount} ریال است. <b>",
        "category": "invoice",
        "reply_allowed": True,
        "attachments": [{"name": "bill.pdf", "content_base64": base64.b64encode(pdf()).decode()}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = send(secret, body)
    assert response.status_code == 201, response.content
    data = response.json()
    campaign = Campaign.objects.get(code=data["code"])
    assert campaign.source == CampaignSource.API and campaign.created_by == admin
    sent_with = AuditEvent.objects.get(action="agency.api_letter_send")
    assert sent_with.actor_id == admin.pk and sent_with.data["key"] == secret[:12]
    assert campaign.status == CampaignStatus.SENT and data["status"] == "sending"
    letter = campaign.letter
    assert letter is not None
    assert letter.category == "invoice" and letter.reply_allowed
    assert letter.attachment_count == 1
    assert "&lt;b&gt;" in letter.body  # plain text, as on the compose page
    seen = delivery_for(user=ali, tracking_code=letter.tracking_code)
    assert seen.letter.subject == "قبض علی" and "۱۲۰۰" in seen.letter.body
    seen = delivery_for(user=maryam, tracking_code=letter.tracking_code)
    assert seen.letter.subject == "قبض مریم"
    status = call("get", f"/api/v1/letters/{data['code']}", secret).json()
    assert status["tracking_code"] == letter.tracking_code and status["status"] == "sent"
    assert status["recipients"] == 2 and status["delivered"] == 2 and status["read"] == 0
    by_letter = call("get", f"/api/v1/letters/{letter.tracking_code}", secret).json()
    assert by_letter["code"] == campaign.code


def test_a_send_above_the_threshold_waits_for_a_second_member(
    agency, admin, secret, settings, citizens, django_capture_on_commit_callbacks
):
    from accounts.testing import sign_in_with_second_factor
    from agencies.services.campaigns import campaign_approve

    ali, _maryam = citizens
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    body = {
        "recipients": [
            {"recipient": ALI, "values": {"name": "علی"}},
            {"recipient": MARYAM, "values": {"name": "مریم"}},
        ],
        "subject": "ابلاغ {name}",
        "body": "متن",
    }
    response = send(secret, body)
    assert response.status_code == 201
    assert response.json()["status"] == "awaiting_approval"
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.AWAITING_APPROVAL
    assert not Letter.objects.exists()
    second = member(agency, Role.AGENCY_SENDER)
    client = Client()
    sign_in_with_second_factor(client, second)
    page = client.get(f"/agency/campaigns/{campaign.code}/").content.decode()
    assert "ابلاغ علی" in page  # the first recipient's letter, for the approver to read
    with django_capture_on_commit_callbacks(execute=True):
        campaign_approve(actor=second, campaign=campaign)
    status = call("get", f"/api/v1/letters/{campaign.code}", secret).json()
    assert status["status"] == "sent" and status["delivered"] == 2
    seen = delivery_for(user=ali, tracking_code=status["tracking_code"])
    assert seen.letter.subject == "ابلاغ علی"


def test_bad_input_is_422_with_the_field_and_nothing_is_stored(agency, secret):
    response = send(secret, {"recipients": [ALI], "subject": "", "body": "x"})
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "validation_error"
    assert any(d["field"] == "subject" for d in error["details"])
    response = send(secret, {"recipients": [ALI, "0012345678"], "subject": "s", "body": "b"})
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "invalid_recipients"
    assert error["details"][0]["position"] == 2
    response = send(secret, {"recipients": [ALI], "subject": "{name}", "body": "b"})
    assert error_of(response)["details"][0]["field"] == "name"
    response = call("post", "/api/v1/letters", secret, None, HTTP_CONTENT_TYPE="application/json")
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = send(
        secret, {"recipients": [ALI], "subject": "s", "body": "b", "scheduled_at": past}
    )
    assert response.status_code == 422 and error_of(response)["code"] == "letter_refused"
    assert not Campaign.objects.exists()


def test_100001_recipients_are_422_and_100000_are_taken(agency, secret, settings):
    codes = [ALI] * 100_001
    response = send(secret, {"recipients": codes, "subject": "s", "body": "b"})
    assert response.status_code == 422
    assert error_of(response)["code"] == "too_many_recipients"
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 10**6
    rows = [{"recipient": ALI, "values": {"name": "علی"}}] * 100_000
    body = json.dumps({"recipients": rows, "subject": "s {name}", "body": "b"})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # past the forms' limit
    response = Client().post(
        "/api/v1/letters",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content[:500]
    assert response.json()["recipients"] == 1  # the same code, once


def test_a_body_past_the_request_limit_and_an_unknown_path_answer_in_the_api_shape(
    secret, settings
):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = send(secret, {"recipients": [ALI] * 100, "subject": "s", "body": "b"})
    assert response.status_code == 413 and error_of(response)["code"] == "request_too_large"
    for method in ("get", "post"):
        response = call(method, "/api/v1/nothing/here", secret, {} if method == "post" else None)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_an_oversize_attachment_is_413_and_a_broken_one_422(agency, secret, settings):
    settings.LETTER_ATTACHMENT_MAX_BYTES = 1000
    big = base64.b64encode(b"x" * 1001).decode()
    body = {"recipients": [ALI], "subject": "s", "body": "b"}
    response = send(secret, {**body, "attachments": [{"name": "a.pdf", "content_base64": big}]})
    assert response.status_code == 413 and error_of(response)["code"] == "attachment_too_large"
    response = send(secret, {**body, "attachments": [{"name": "a.pdf", "content_base64": "@@"}]})
    assert response.status_code == 422 and error_of(response)["code"] == "invalid_attachment"
    fake = base64.b64encode(b"MZ not a pdf").decode()
    response = send(secret, {**body, "attachments": [{"name": "a.pdf", "content_base64": fake}]})
    assert response.status_code == 422 and error_of(response)["code"] == "attachment_refused"
    assert not Campaign.objects.exists()


def test_a_key_whose_creator_lost_the_role_is_refused(agency, admin, secret):
    agency_admin(agency)  # the agency keeps an admin
    from accounts.models import RoleGrant

    grant = RoleGrant.objects.get(user=admin, revoked_at__isnull=True)
    assert grant.granted_by is not None
    role_revoke(actor=grant.granted_by, grant=grant)
    response = send(secret)
    assert response.status_code == 403 and error_of(response)["code"] == "creator_not_allowed"


# --- idempotency ------------------------------------------------------------------------------


def test_the_same_idempotency_key_replays_and_another_body_is_409(agency, secret, citizens):
    first = send(secret, HTTP_IDEMPOTENCY_KEY="order-42")
    again = send(secret, HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Campaign.objects.count() == 1
    other = send(
        secret,
        {"recipients": [ALI], "subject": "دیگر", "body": "متن"},
        HTTP_IDEMPOTENCY_KEY="order-42",
    )
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
    assert send(secret, HTTP_IDEMPOTENCY_KEY="order-43").json()["code"] != first.json()["code"]


def test_an_idempotency_key_lives_24_hours_and_a_refusal_is_not_remembered(agency, secret):
    bad = send(
        secret, {"recipients": ["123"], "subject": "s", "body": "b"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 422 and not ApiIdempotencyKey.objects.exists()
    first = send(secret, HTTP_IDEMPOTENCY_KEY="k")
    ApiIdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    later = send(secret, HTTP_IDEMPOTENCY_KEY="k")
    assert later.status_code == 201 and later.json()["code"] != first.json()["code"]
    assert ApiIdempotencyKey.objects.count() == 1


def test_the_hourly_purge_forgets_idempotency_keys_past_24_hours(agency, secret):
    from agencies.tasks import api_idempotency_purge

    send(secret, HTTP_IDEMPOTENCY_KEY="old")
    send(secret, HTTP_IDEMPOTENCY_KEY="new")
    ApiIdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    assert api_idempotency_purge.delay().get() == 1
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    from payam.celery import app

    entry = app.conf.beat_schedule["agencies-api-idempotency-purge"]
    assert entry["task"] == "agencies.api_idempotency_purge" and entry["task"] in app.tasks


def test_keys_of_two_agencies_do_not_share_idempotency_keys(agency, secret):
    other = AgencyFactory()
    other_secret = api_key_create(
        actor=agency_admin(other), agency=other, name="x", scopes=ALL_SCOPES
    ).secret
    a = send(secret, HTTP_IDEMPOTENCY_KEY="same")
    b = send(other_secret, HTTP_IDEMPOTENCY_KEY="same")
    assert a.status_code == b.status_code == 201 and a.json()["code"] != b.json()["code"]


# --- reading ----------------------------------------------------------------------------------


def test_recipients_by_status_with_a_cursor_and_another_agencys_letter_is_404(
    agency, secret, citizens, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    ali, _maryam = citizens
    with django_capture_on_commit_callbacks(execute=True):
        code = send(secret).json()["code"]
    letter = Campaign.objects.get(code=code).letter
    assert letter is not None
    Delivery.objects.filter(letter=letter, recipient__identifier=ALI).update(
        first_read_at=timezone.now()
    )
    base = f"/api/v1/letters/{code}/recipients"
    with django_assert_max_num_queries(4):  # the key, its stamp, the letter, one page
        page = call("get", f"{base}?limit=1", secret).json()
    with django_assert_max_num_queries(4):  # however many rows the page holds
        assert len(call("get", base, secret).json()["results"]) == 2
    assert len(page["results"]) == 1 and page["next_cursor"]
    rest = call("get", f"{base}?limit=1&cursor={page['next_cursor']}", secret).json()
    assert [r["recipient"] for r in page["results"] + rest["results"]] == [ALI, MARYAM]
    assert rest["next_cursor"] is None
    read = call("get", f"{base}?status=read", secret).json()["results"]
    unread = call("get", f"{base}?status=unread", secret).json()["results"]
    assert [r["recipient"] for r in read] == [ALI] and read[0]["read_at"]
    assert [r["recipient"] for r in unread] == [MARYAM]
    assert call("get", f"{base}?status=maybe", secret).status_code == 422
    assert call("get", f"{base}?cursor=-1", secret).status_code == 422

    other = AgencyFactory()
    other_secret = api_key_create(
        actor=agency_admin(other), agency=other, name="x", scopes=ALL_SCOPES
    ).secret
    for path in (f"/api/v1/letters/{code}", base, f"/api/v1/letters/{letter.tracking_code}"):
        response = call("get", path, other_secret)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


# --- rate limit ---------------------------------------------------------------------------


def test_the_rate_limit_is_per_key_with_the_agencys_own_figure(agency, admin, secret, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    statuses = [call("get", "/api/v1/letters/ABC", secret).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    response = call("get", "/api/v1/letters/ABC", secret)
    assert error_of(response)["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    second = api_key_create(actor=admin, agency=agency, name="دوم", scopes=ALL_SCOPES).secret
    assert call("get", "/api/v1/letters/ABC", second).status_code == 404  # its own count
    agency.api_requests_per_minute = 10
    agency.save()
    assert call("get", "/api/v1/letters/ABC", secret).status_code == 404


# --- the document -------------------------------------------------------------------------


def test_the_openapi_document_and_the_docs_page_need_nothing_from_outside():
    spec = Client().get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/v1/letters", "/api/v1/letters/{code}", "/api/v1/letters/{code}/recipients"} <= (
        set(paths)
    )
    assert spec.json()["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in tag or "application/json" in tag for tag in scripts)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset


def test_a_scheduled_send_waits_for_its_time_and_the_key_is_stamped_when_used(agency, secret):
    when = (timezone.now() + timedelta(days=1)).isoformat()
    response = send(
        secret, {"recipients": [ALI], "subject": "s", "body": "b", "scheduled_at": when}
    )
    assert response.status_code == 201 and response.json()["status"] == "scheduled"
    assert Campaign.objects.get().status == CampaignStatus.SCHEDULED
    assert ApiKey.objects.get().last_used_at is not None
    far_offset = (timezone.now() + timedelta(days=2)).astimezone(
        datetime.timezone(-timedelta(hours=16, minutes=35))
    )
    response = send(
        secret,
        {"recipients": [ALI], "subject": "s", "body": "b", "scheduled_at": far_offset.isoformat()},
    )
    assert response.status_code == 201  # an offset PostgreSQL would refuse, read as UTC
    naive = (timezone.now() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    response = send(
        secret, {"recipients": [ALI], "subject": "s", "body": "b", "scheduled_at": naive}
    )
    assert response.status_code == 422 and error_of(response)["details"][0]["field"] == (
        "scheduled_at"
    )


# --- the panel ------------------------------------------------------------------------------


def test_the_admin_makes_a_key_on_the_panel_sees_it_once_and_revokes_it(agency, admin):
    from accounts.testing import sign_in_with_second_factor

    client = Client()
    sign_in_with_second_factor(client, admin)
    page = client.get("/agency/api-keys/")
    assert page.status_code == 200 and "کلیدهای API" in page.content.decode()
    made = client.post(
        "/agency/api-keys/",
        {"name": "اتوماسیون", "scopes": [ApiScope.LETTERS_SEND, ApiScope.LETTERS_READ]},
    )
    key = ApiKey.objects.get()
    html = made.content.decode()
    secret = html.split('data-testid="api-key-secret"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert secret.startswith(key.prefix) and made["Cache-Control"] == "no-store"
    assert call("get", "/api/v1/letters/ABC", secret).status_code == 404  # the key works
    again = client.get("/agency/api-keys/").content.decode()
    assert key.prefix in again and secret not in again  # shown once
    refused = client.post("/agency/api-keys/", {"name": "", "scopes": []})
    assert refused.status_code == 200 and ApiKey.objects.count() == 1
    client.post(f"/agency/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_by == admin
    assert call("get", "/api/v1/letters/ABC", secret).status_code == 401


def test_only_admins_see_the_keys_page_and_its_link(agency, admin):
    from accounts.testing import sign_in_with_second_factor

    sender = member(agency, Role.AGENCY_SENDER)
    client = Client()
    sign_in_with_second_factor(client, sender)
    assert client.get("/agency/api-keys/").status_code == 404
    assert "/agency/api-keys/" not in client.get("/agency/").content.decode()
    client = Client()
    sign_in_with_second_factor(client, admin)
    assert "/agency/api-keys/" in client.get("/agency/").content.decode()


def test_a_malformed_key_or_idempotency_key_is_refused_without_a_lookup(agency, secret):
    for token in ("pym_ABCDEFGH_x", "pym_0000000\x00_x", "x" * 500, "pym_"):
        response = call("get", "/api/v1/letters/ABC", token)
        assert response.status_code == 401 and error_of(response)["code"] == "invalid_key"
    response = send(secret, HTTP_IDEMPOTENCY_KEY="two words")
    assert response.status_code == 422 and error_of(response)["details"][0]["field"] == (
        "Idempotency-Key"
    )
    assert not Campaign.objects.exists()
