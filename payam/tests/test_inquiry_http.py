"""The HTTP inquiry backend against a local server speaking the docs/inquiry.md contract."""

import logging
import socket
import time
from datetime import date
from types import SimpleNamespace

import pytest
import urllib3.util.retry

from payam.inquiry import (
    BirthDateMismatch,
    CivilIdentity,
    CompanyNotFound,
    CompanyRecord,
    IdentityNotFound,
    InquiryUnavailable,
    get_backend,
)
from payam.inquiry.http import HttpInquiryBackend
from payam.tests.helpers import DRAINED, record_timeouts, stalled_upstream

API_KEY = "test-secret-key-4711"
AUTH = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
ALI = "0012345679"
ALI_BORN = date(1985, 3, 21)
PARS = "10100123456"
IDENTITY_JSON = {
    "national_code": ALI,
    "first_name": "علي",  # Arabic ي, as some upstreams still send it
    "last_name": "رضایی",
    "father_name": "حسن",
    "birth_date": "1985-03-21",
    "gender": "male",
    "is_alive": True,
}
COMPANY_JSON = {
    "national_id": PARS,
    "name": "شرکت نوآوران پارس (سهامی خاص)",
    "registration_number": "512345",
    "registered_on": None,
    "ceo_national_code": "0023456787",
    "ceo_full_name": "مریم احمدی",
    "status": "active",
}
RETRIES = 2


@pytest.fixture
def upstream(settings, httpserver):
    """Settings pointing at the local server under /api/v1; the server, checked after."""
    settings.INQUIRY_BACKEND = "http"
    settings.INQUIRY_HTTP_BASE_URL = httpserver.url_for("/api/v1/")
    settings.INQUIRY_HTTP_API_KEY = API_KEY
    settings.INQUIRY_HTTP_CONNECT_TIMEOUT = 1.0
    settings.INQUIRY_HTTP_READ_TIMEOUT = 2.0
    settings.INQUIRY_HTTP_RETRIES = RETRIES
    yield httpserver
    httpserver.check_assertions()


@pytest.fixture
def slept(monkeypatch):
    """The pauses urllib3 makes between retries, recorded instead of slept."""
    pauses: list[float] = []
    monkeypatch.setattr(
        urllib3.util.retry, "time", SimpleNamespace(sleep=pauses.append, time=time.time)
    )
    return pauses


@pytest.fixture
def backend(upstream):
    backend = HttpInquiryBackend.from_settings(backoff_factor=0.01)
    yield backend
    backend.close()


# --- Shahkar ---------------------------------------------------------------------------


@pytest.mark.parametrize("match", [True, False])
def test_shahkar_sends_the_normalized_mobile_and_reads_the_match(upstream, backend, match):
    upstream.expect_oneshot_request(
        "/api/v1/shahkar/match",
        method="POST",
        json={"national_code": ALI, "mobile": "+989121234567"},
        headers=AUTH,
    ).respond_with_json({"match": match})
    assert backend.shahkar_matches(national_code=ALI, mobile="09121234567") is match
    request, _ = upstream.log[0]
    assert request.headers["Content-Type"] == "application/json"


def test_get_backend_builds_the_http_backend_from_settings(upstream):
    upstream.expect_oneshot_request(
        "/api/v1/shahkar/match", method="POST", headers=AUTH
    ).respond_with_json({"match": True})
    backend = get_backend()
    assert isinstance(backend, HttpInquiryBackend)
    assert backend.shahkar_matches(national_code=ALI, mobile="+989121234567") is True


@pytest.mark.parametrize("answer", [{"match": "yes"}, {"match": 1}, {}, ["match"]])
def test_shahkar_without_a_boolean_match_is_unavailable(upstream, backend, answer):
    upstream.expect_request("/api/v1/shahkar/match").respond_with_json(answer)
    with pytest.raises(InquiryUnavailable):
        backend.shahkar_matches(national_code=ALI, mobile="+989121234567")


# --- Civil registry --------------------------------------------------------------------


def test_civil_identity_sends_code_and_iso_date_and_reads_the_person(upstream, backend):
    upstream.expect_oneshot_request(
        "/api/v1/civil/identity",
        method="POST",
        json={"national_code": ALI, "birth_date": "1985-03-21"},
        headers=AUTH,
    ).respond_with_json(IDENTITY_JSON)
    identity = backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)
    assert identity == CivilIdentity(
        national_code=ALI,
        first_name="علی",  # normalized to Persian ی
        last_name="رضایی",
        father_name="حسن",
        birth_date=ALI_BORN,
        gender="male",
        is_alive=True,
    )


def test_civil_404_is_identity_not_found(upstream, backend):
    upstream.expect_request("/api/v1/civil/identity").respond_with_json(
        {"error": "not_found"}, status=404
    )
    with pytest.raises(IdentityNotFound):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)


def test_civil_409_is_birth_date_mismatch(upstream, backend):
    upstream.expect_request("/api/v1/civil/identity").respond_with_json(
        {"error": "birth_date_mismatch"}, status=409
    )
    with pytest.raises(BirthDateMismatch):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)


def test_a_404_page_that_is_not_the_contract_is_unavailable_not_not_found(upstream, backend):
    """A wrong base URL behind a proxy answers an HTML 404; that is not 'no such person'."""
    upstream.expect_request("/api/v1/civil/identity").respond_with_data(
        "<h1>Not Found</h1>", status=404, content_type="text/html"
    )
    with pytest.raises(InquiryUnavailable):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)


@pytest.mark.parametrize(
    "change",
    [
        {"birth_date": None},
        {"birth_date": "21/03/1985"},
        {"gender": "unknown"},
        {"is_alive": "true"},
        {"national_code": "0012345678"},  # fails the checksum
        {"national_code": "0023456787"},  # someone else
        {"birth_date": "1985-03-22"},  # another day than asked
    ],
)
def test_civil_answer_breaking_the_contract_is_unavailable(upstream, backend, change):
    upstream.expect_request("/api/v1/civil/identity").respond_with_json(IDENTITY_JSON | change)
    with pytest.raises(InquiryUnavailable):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)


def test_civil_answer_missing_a_field_is_unavailable(upstream, backend):
    answer = {k: v for k, v in IDENTITY_JSON.items() if k != "last_name"}
    upstream.expect_request("/api/v1/civil/identity").respond_with_json(answer)
    with pytest.raises(InquiryUnavailable):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)


# --- Company registry ------------------------------------------------------------------


def test_company_record_gets_the_company(upstream, backend):
    upstream.expect_oneshot_request(
        f"/api/v1/companies/{PARS}", method="GET", headers=AUTH
    ).respond_with_json(COMPANY_JSON)
    assert backend.company_record(national_id=PARS) == CompanyRecord(
        national_id=PARS,
        name="شرکت نوآوران پارس (سهامی خاص)",
        registration_number="512345",
        registered_on=None,
        ceo_national_code="0023456787",
        ceo_full_name="مریم احمدی",
        status="active",
    )


def test_company_registration_date_is_read(upstream, backend):
    upstream.expect_request(f"/api/v1/companies/{PARS}").respond_with_json(
        COMPANY_JSON | {"registered_on": "2012-05-14"}
    )
    assert backend.company_record(national_id=PARS).registered_on == date(2012, 5, 14)


def test_company_404_is_company_not_found(upstream, backend):
    upstream.expect_request(f"/api/v1/companies/{PARS}").respond_with_json(
        {"error": "not_found"}, status=404
    )
    with pytest.raises(CompanyNotFound):
        backend.company_record(national_id=PARS)


@pytest.mark.parametrize("change", [{"status": "closed"}, {"national_id": "10100234560"}])
def test_company_answer_breaking_the_contract_is_unavailable(upstream, backend, change):
    upstream.expect_request(f"/api/v1/companies/{PARS}").respond_with_json(COMPANY_JSON | change)
    with pytest.raises(InquiryUnavailable):
        backend.company_record(national_id=PARS)


# --- Failures of the upstream ----------------------------------------------------------


def test_500_is_unavailable_and_not_retried(upstream, backend):
    upstream.expect_request("/api/v1/civil/identity").respond_with_data("boom", status=500)
    with pytest.raises(InquiryUnavailable):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)
    assert len(upstream.log) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_with_backoff_then_unavailable(upstream, backend, slept, status):
    upstream.expect_request("/api/v1/civil/identity").respond_with_data("down", status=status)
    with pytest.raises(InquiryUnavailable):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)
    assert len(upstream.log) == RETRIES + 1
    # The backoff of payam/inquiry/http.py: nothing before the first retry, then
    # 2 × the factor (0.01 here) before the second.
    assert slept == [pytest.approx(0.02)]


def test_a_retry_after_a_503_succeeds(upstream, backend):
    upstream.expect_oneshot_request(f"/api/v1/companies/{PARS}").respond_with_data(
        "busy", status=503
    )
    upstream.expect_request(f"/api/v1/companies/{PARS}").respond_with_json(COMPANY_JSON)
    assert backend.company_record(national_id=PARS).national_id == PARS
    assert [response.status_code for _, response in upstream.log] == [503, 200]


def test_a_retry_after_header_does_not_hold_the_request(upstream, backend, slept):
    upstream.expect_oneshot_request("/api/v1/shahkar/match").respond_with_data(
        "busy", status=503, headers={"Retry-After": "120"}
    )
    upstream.expect_request("/api/v1/shahkar/match").respond_with_json({"match": True})
    assert backend.shahkar_matches(national_code=ALI, mobile="+989121234567") is True
    assert len(upstream.log) == 2
    assert slept == []  # retried at once: no backoff before the first retry, no 120 s wait


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_unavailable_and_logged_without_the_key(upstream, backend, caplog, status):
    upstream.expect_request(f"/api/v1/companies/{PARS}").respond_with_json(
        {"error": "unauthorized"}, status=status
    )
    with (
        caplog.at_level(logging.WARNING, logger="payam.inquiry"),
        pytest.raises(InquiryUnavailable) as caught,
    ):
        backend.company_record(national_id=PARS)
    assert len(upstream.log) == 1
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert "INQUIRY_HTTP_API_KEY" in caplog.text
    assert API_KEY not in caplog.text
    assert API_KEY not in caught.value.detail
    assert API_KEY not in repr(backend.session.auth)


def test_a_redirect_is_not_followed(upstream, backend):
    upstream.expect_request(f"/api/v1/companies/{PARS}").respond_with_data(
        "", status=302, headers={"Location": "http://elsewhere.example/"}
    )
    with pytest.raises(InquiryUnavailable):
        backend.company_record(national_id=PARS)


def test_malformed_json_is_unavailable(upstream, backend, caplog):
    upstream.expect_request("/api/v1/civil/identity").respond_with_data(
        '{"national_code": "0012', content_type="application/json"
    )
    with (
        caplog.at_level(logging.WARNING, logger="payam.inquiry"),
        pytest.raises(InquiryUnavailable),
    ):
        backend.civil_identity(national_code=ALI, birth_date=ALI_BORN)
    assert "not JSON" in caplog.text


def test_a_slow_upstream_times_out_as_unavailable_after_one_attempt(
    upstream, settings, monkeypatch
):
    settings.INQUIRY_HTTP_READ_TIMEOUT = 0.2
    backend = HttpInquiryBackend.from_settings(backoff_factor=0.01)
    timeouts = record_timeouts(monkeypatch, backend.session)
    with (
        stalled_upstream(upstream, "/api/v1/shahkar/match", '{"match": true}'),
        pytest.raises(InquiryUnavailable) as caught,
    ):
        backend.shahkar_matches(national_code=ALI, mobile="+989121234567")
    backend.close()
    assert timeouts == [(1.0, 0.2)]  # (connect, read) from the settings
    assert "ReadTimeout" in caught.value.detail
    # A read timeout is not retried: the upstream saw the request once.
    assert [request.path for request, _ in upstream.log] == ["/api/v1/shahkar/match", DRAINED]


def test_connection_refused_is_unavailable(settings, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.INQUIRY_HTTP_BASE_URL = f"http://127.0.0.1:{port}/api/v1"
    settings.INQUIRY_HTTP_API_KEY = API_KEY
    settings.INQUIRY_HTTP_RETRIES = RETRIES
    backend = HttpInquiryBackend.from_settings(backoff_factor=0.01)
    with (
        caplog.at_level(logging.WARNING, logger="payam.inquiry"),
        pytest.raises(InquiryUnavailable) as caught,
    ):
        backend.company_record(national_id=PARS)
    backend.close()
    assert "ConnectionError" in caught.value.detail
    assert "ConnectionError" in caplog.text
    assert API_KEY not in caplog.text
