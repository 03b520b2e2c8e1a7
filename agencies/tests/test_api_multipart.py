"""`POST /api/v1/letters` as multipart/form-data (a `payload` part with the
JSON, `attachments` file parts): the same checks as base64, 413 for an
oversize file, an idempotent retry with another boundary; a method a path does
not take is the API's JSON 405; the OpenAPI document describes both bodies."""

import base64
import json
from typing import Any

import pytest
from django.test import Client
from django.test.client import encode_multipart

from accounts.tests.factories import ALI, AliFactory
from agencies.constants import ApiScope
from agencies.models import ApiIdempotencyKey, Campaign
from agencies.services import api_key_create
from mailbox.models import Attachment
from mailbox.tests.conftest import PNG, activate, fresh, pdf, upload

from .factories import AgencyFactory, agency_admin
from .test_api import error_of

pytestmark = pytest.mark.django_db

LETTER = {"recipients": [ALI], "subject": "قبض", "body": "قبض این ماه پیوست است."}


@pytest.fixture
def secret():
    agency = AgencyFactory(name="سازمان نمونه")
    return api_key_create(
        actor=agency_admin(agency), agency=agency, name="x", scopes=list(ApiScope)
    ).secret


def post_multipart(secret, parts, *, boundary="PayamBoundary", **headers):
    body = encode_multipart(boundary, parts)
    return Client().post(
        "/api/v1/letters",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        **headers,
    )


def test_a_letter_with_file_parts_is_sent_with_its_files(
    secret, django_capture_on_commit_callbacks
):
    fresh(activate(AliFactory()))
    base64_one = {"name": "b64.png", "content_base64": base64.b64encode(PNG).decode()}
    parts: dict[str, Any] = {
        "payload": json.dumps({**LETTER, "attachments": [base64_one]}),
        "attachments": [upload("قبض.pdf", pdf()), upload("رسید.png", PNG)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post_multipart(secret, parts)
    assert response.status_code == 201, response.content
    letter = Campaign.objects.get(code=response.json()["code"]).letter
    assert letter is not None
    files = list(Attachment.objects.filter(letter=letter).order_by("position"))
    assert [(f.original_name, f.content_type) for f in files] == [
        ("b64.png", "image/png"),
        ("قبض.pdf", "application/pdf"),
        ("رسید.png", "image/png"),
    ]
    # The payload may also come as a file part (no form-field size limit).
    as_file = {"payload": upload("payload.json", json.dumps(LETTER).encode())}
    assert post_multipart(secret, as_file).status_code == 201


def test_an_oversize_file_is_413_a_bad_one_422_and_nothing_is_stored(secret, settings):
    settings.LETTER_ATTACHMENT_MAX_BYTES = 1000
    payload = json.dumps(LETTER)
    response = post_multipart(
        secret, {"payload": payload, "attachments": [upload("big.pdf", b"%PDF" + b"x" * 1000)]}
    )
    assert response.status_code == 413 and error_of(response)["code"] == "attachment_too_large"
    assert "big.pdf" in error_of(response)["message_en"]
    response = post_multipart(
        secret, {"payload": payload, "attachments": [upload("a.pdf", b"MZ not a pdf")]}
    )
    assert response.status_code == 422 and error_of(response)["code"] == "attachment_refused"
    response = post_multipart(secret, {"attachments": [upload("a.png", PNG)]})
    assert response.status_code == 422 and error_of(response)["code"] == "invalid_multipart"
    response = post_multipart(secret, {"payload": "{not json"})
    assert response.status_code == 422 and error_of(response)["code"] == "invalid_multipart"
    response = post_multipart(secret, {"payload": json.dumps({**LETTER, "subject": ""})})
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "validation_error"
    assert any(d["field"] == "subject" for d in error["details"])
    response = post_multipart(secret, {"payload": payload, "other": upload("a.png", PNG)})
    assert response.status_code == 422 and error_of(response)["details"][0]["field"] == "other"
    settings.LETTER_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ten = [
        {"name": f"{i}.png", "content_base64": base64.b64encode(PNG).decode()} for i in range(10)
    ]
    response = post_multipart(
        secret,
        {
            "payload": json.dumps({**LETTER, "attachments": ten}),
            "attachments": [upload("eleventh.png", PNG)],
        },
    )
    assert response.status_code == 422 and error_of(response)["details"][0]["field"] == (
        "attachments"
    )
    assert not Campaign.objects.exists() and not Attachment.objects.exists()


def test_a_multipart_retry_with_another_boundary_replays_and_another_file_is_409(secret):
    parts = {"payload": json.dumps(LETTER), "attachments": [upload("a.png", PNG)]}
    first = post_multipart(secret, parts, boundary="first-b0undary", HTTP_IDEMPOTENCY_KEY="m-1")
    parts = {"payload": json.dumps(LETTER), "attachments": [upload("a.png", PNG)]}
    again = post_multipart(secret, parts, boundary="other-B0UNDARY", HTTP_IDEMPOTENCY_KEY="m-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again["Idempotent-Replayed"] == "true"
    assert Campaign.objects.count() == 1 == ApiIdempotencyKey.objects.count()
    parts = {"payload": json.dumps(LETTER), "attachments": [upload("a.pdf", pdf())]}
    other = post_multipart(secret, parts, HTTP_IDEMPOTENCY_KEY="m-1")
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
    # The same letter as JSON is another request for the key, too.
    as_json = Client().post(
        "/api/v1/letters",
        data=json.dumps(LETTER),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY="m-1",
    )
    assert as_json.status_code == 409
    assert Campaign.objects.count() == 1


def test_a_wrong_method_is_the_apis_json_405_with_allow(secret):
    for method, path in (
        ("delete", "/api/v1/letters"),
        ("put", "/api/v1/sms"),
        ("post", "/api/v1/incoming"),
        ("patch", "/api/v1/sms/1"),
    ):
        response = getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 405, (method, path)
        assert error_of(response)["code"] == "method_not_allowed"
        assert method.upper() in error_of(response)["message_en"]
        assert response["Allow"] in {"POST", "GET"}


def test_the_openapi_document_describes_both_bodies_and_every_new_operation():
    spec = Client().get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert {
        "/api/v1/replies",
        "/api/v1/incoming",
        "/api/v1/incoming/{tracking_code}",
        "/api/v1/letters/received/{tracking_code}/attachments/{position}",
        "/api/v1/sms",
        "/api/v1/sms/{sms_id}",
    } <= set(paths)
    content = paths["/api/v1/letters"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    multipart = content["multipart/form-data"]["schema"]
    assert multipart["properties"]["attachments"]["items"]["format"] == "binary"
    assert multipart["required"] == ["payload"]
    assert "Idempotency-Key" in {p["name"] for p in paths["/api/v1/sms"]["post"]["parameters"]}
