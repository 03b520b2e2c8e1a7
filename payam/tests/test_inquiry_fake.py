"""The fake inquiry backend answers exactly what docs/demo-identities.md promises."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from payam.identifiers import is_valid_legal_id, is_valid_national_code
from payam.inquiry import (
    BirthDateMismatch,
    CivilIdentity,
    CompanyNotFound,
    IdentityNotFound,
    InquiryBackend,
    InquiryUnavailable,
    get_backend,
)
from payam.inquiry.fake import FakeInquiryBackend, load_fixture
from payam.inquiry.http import HttpInquiryBackend

FIXTURE = Path(django_settings.BASE_DIR) / "payam" / "inquiry" / "demo_identities.json"
DOCS = Path(django_settings.BASE_DIR) / "docs" / "demo-identities.md"

ALI, MARYAM, REZA, ZAHRA, HOSSEIN, FATEMEH = (
    "0012345679",
    "0023456787",
    "0034567895",
    "0045678911",
    "0056789122",
    "0067891233",
)
ABSENT_CODE, OUTAGE_CODE = "0078901235", "0089012348"
PARS, SEPEHR, ALBORZ = "10100123456", "10100234560", "10100345673"
ABSENT_ID, OUTAGE_ID = "10100456787", "10100567890"
OUTAGE_MOBILE = "+989129999999"


@pytest.fixture
def backend() -> FakeInquiryBackend:
    return FakeInquiryBackend(load_fixture(str(FIXTURE)))


# --- Shahkar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("national_code", "mobile", "matches"),
    [
        (ALI, "+989121234567", True),
        (MARYAM, "+989123456789", True),
        (MARYAM, "+989352345678", True),
        (REZA, "+989193456789", True),
        (REZA, "+989352345678", False),  # Maryam's line
        (ZAHRA, "+989364567890", True),
        (HOSSEIN, "+989125678901", True),
        (FATEMEH, "+989016789012", True),
        (ALI, "+989123456789", False),  # Maryam's line
        (ALI, "+989120000001", False),  # a line no one in the fixture owns
        (ABSENT_CODE, "+989121234567", False),
    ],
)
def test_shahkar_answers_as_documented(backend, national_code, mobile, matches):
    assert backend.shahkar_matches(national_code=national_code, mobile=mobile) is matches


@pytest.mark.parametrize("mobile", ["09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "00989121234567"])
def test_shahkar_normalizes_the_mobile_it_is_given(backend, mobile):
    assert backend.shahkar_matches(national_code=ALI, mobile=mobile) is True


def test_shahkar_outage_for_the_outage_code_and_the_outage_mobile(backend):
    with pytest.raises(InquiryUnavailable):
        backend.shahkar_matches(national_code=OUTAGE_CODE, mobile="+989121234567")
    with pytest.raises(InquiryUnavailable):
        backend.shahkar_matches(national_code=ALI, mobile=OUTAGE_MOBILE)


# --- Civil registry --------------------------------------------------------------------


def test_civil_identity_of_ali_rezaei(backend):
    identity = backend.civil_identity(national_code=ALI, birth_date=date(1985, 3, 21))
    assert identity == CivilIdentity(
        national_code=ALI,
        first_name="علی",
        last_name="رضایی",
        father_name="حسن",
        birth_date=date(1985, 3, 21),
        gender="male",
        is_alive=True,
    )
    assert identity.full_name == "علی رضایی"


@pytest.mark.parametrize(
    ("national_code", "birth_date", "full_name", "gender", "is_alive"),
    [
        (MARYAM, date(1990, 7, 15), "مریم احمدی", "female", True),
        (REZA, date(1988, 11, 2), "رضا کریمی", "male", True),
        (ZAHRA, date(1979, 5, 30), "زهرا حسینی", "female", True),
        (HOSSEIN, date(1948, 1, 10), "حسین موسوی", "male", False),
        (FATEMEH, date(1972, 9, 23), "فاطمه نوری", "female", True),
    ],
)
def test_civil_identity_of_each_person(
    backend, national_code, birth_date, full_name, gender, is_alive
):
    identity = backend.civil_identity(national_code=national_code, birth_date=birth_date)
    assert (identity.full_name, identity.gender, identity.is_alive) == (
        full_name,
        gender,
        is_alive,
    )


def test_absent_code_is_not_found(backend):
    with pytest.raises(IdentityNotFound) as caught:
        backend.civil_identity(national_code=ABSENT_CODE, birth_date=date(1985, 3, 21))
    assert (
        str(caught.value)
        == "این کد ملی در سامانه‌ی ثبت احوال یافت نشد؛ لطفاً آن را دوباره بررسی کنید."
    )


def test_wrong_birth_date_is_a_mismatch_that_does_not_reveal_the_real_one(backend):
    with pytest.raises(BirthDateMismatch) as caught:
        backend.civil_identity(national_code=ALI, birth_date=date(1985, 3, 22))
    error = caught.value
    assert "تاریخ تولد" in str(error)
    for shown in (str(error), error.detail):
        assert "1985" not in shown
        assert "03-21" not in shown


def test_civil_outage(backend):
    with pytest.raises(InquiryUnavailable) as caught:
        backend.civil_identity(national_code=OUTAGE_CODE, birth_date=date(1985, 3, 21))
    assert str(caught.value) == (
        "سامانه‌ی استعلام در دسترس نیست؛ لطفاً چند دقیقه‌ی دیگر دوباره تلاش کنید."
    )


# --- Company registry ------------------------------------------------------------------


def test_company_record_of_novavaran_pars(backend):
    company = backend.company_record(national_id=PARS)
    assert company.name == "شرکت نوآوران پارس (سهامی خاص)"
    assert company.status == "active"
    assert company.registered_on == date(2012, 5, 14)
    assert (company.ceo_national_code, company.ceo_full_name) == (MARYAM, "مریم احمدی")


def test_sepehr_is_run_by_zahra_not_by_reza_who_would_claim_it(backend):
    company = backend.company_record(national_id=SEPEHR)
    assert company.status == "active"
    assert company.ceo_national_code == ZAHRA
    assert company.ceo_national_code != REZA


def test_alborz_is_dissolved_without_a_registration_date(backend):
    company = backend.company_record(national_id=ALBORZ)
    assert company.status == "dissolved"
    assert company.registered_on is None
    assert company.ceo_national_code == FATEMEH


def test_absent_company_is_not_found(backend):
    with pytest.raises(CompanyNotFound):
        backend.company_record(national_id=ABSENT_ID)


def test_company_outage(backend):
    with pytest.raises(InquiryUnavailable):
        backend.company_record(national_id=OUTAGE_ID)


# --- The fixture cannot rot -----------------------------------------------------------


def _fixture_codes() -> tuple[set[str], set[str]]:
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    codes = {p["national_code"] for p in raw["persons"]}
    codes |= {c["ceo_national_code"] for c in raw["companies"]}
    codes |= set(raw["not_in_registry"]["national_codes"])
    codes |= set(raw["simulated_outage"]["national_codes"])
    ids = {c["national_id"] for c in raw["companies"]}
    ids |= set(raw["not_in_registry"]["national_ids"])
    ids |= set(raw["simulated_outage"]["national_ids"])
    return codes, ids


def test_every_code_and_id_in_the_fixture_passes_its_checksum():
    codes, ids = _fixture_codes()
    assert len(codes) == 8
    assert len(ids) == 5
    assert [c for c in sorted(codes) if not is_valid_national_code(c)] == []
    assert [i for i in sorted(ids) if not is_valid_legal_id(i)] == []


def test_every_ceo_in_the_fixture_is_a_person_in_it(backend):
    for company in backend.fixture.companies.values():
        ceo = backend.fixture.persons[company.ceo_national_code]
        assert ceo.full_name == company.ceo_full_name


def test_docs_describe_every_code_id_and_mobile_in_the_fixture(backend):
    docs = DOCS.read_text(encoding="utf-8")
    codes, ids = _fixture_codes()
    mobiles = set(backend.fixture.mobile_owners) | backend.fixture.outage_mobiles
    missing = [value for value in sorted(codes | ids | mobiles) if value not in docs]
    assert missing == []


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        ({"national_code": "0012345678"}, "checksum"),
        ({"birth_date": "1985/03/21"}, "YYYY-MM-DD"),
        ({"gender": "m"}, "gender"),
        ({"mobiles": ["09121234567"]}, "not written as"),
    ],
)
def test_a_broken_fixture_is_refused_when_loaded(tmp_path, settings, broken, complaint):
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    raw["persons"][0].update(broken)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    settings.INQUIRY_FAKE_FIXTURE = path
    with pytest.raises(ImproperlyConfigured, match=complaint):
        get_backend()


def test_a_fixture_naming_a_person_as_down_is_refused(tmp_path, settings):
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    raw["simulated_outage"]["national_codes"].append(ALI)
    path = tmp_path / "clash.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    settings.INQUIRY_FAKE_FIXTURE = str(path)
    with pytest.raises(ImproperlyConfigured, match=ALI):
        get_backend()


def test_the_fixture_is_read_once_per_path():
    load_fixture.cache_clear()
    first = load_fixture(str(FIXTURE))
    assert load_fixture(str(FIXTURE)) is first


# --- get_backend -----------------------------------------------------------------------


def test_get_backend_is_the_fake_one_in_tests_and_is_shared():
    backend = get_backend()
    assert isinstance(backend, FakeInquiryBackend)
    assert isinstance(backend, InquiryBackend)
    assert get_backend() is backend


def test_get_backend_follows_override_settings():
    fake = get_backend()
    with override_settings(
        INQUIRY_BACKEND="http",
        INQUIRY_HTTP_BASE_URL="https://inquiry.example.ir/v1",
        INQUIRY_HTTP_API_KEY="k",
    ):
        http = get_backend()
        assert isinstance(http, HttpInquiryBackend)
        assert isinstance(http, InquiryBackend)
        assert http.base_url == "https://inquiry.example.ir/v1"
    assert isinstance(get_backend(), FakeInquiryBackend)
    assert get_backend() is not fake  # rebuilt once the override ended


def test_get_backend_follows_the_fixture_setting(tmp_path, settings):
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    raw["persons"] = [p for p in raw["persons"] if p["national_code"] != ALI]
    raw["companies"] = []
    path = tmp_path / "smaller.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    settings.INQUIRY_FAKE_FIXTURE = path
    with pytest.raises(IdentityNotFound):
        get_backend().civil_identity(national_code=ALI, birth_date=date(1985, 3, 21))


def test_unknown_backend_name_is_improperly_configured(settings):
    settings.INQUIRY_BACKEND = "soap"
    with pytest.raises(ImproperlyConfigured, match="soap"):
        get_backend()


@pytest.mark.parametrize(
    ("base_url", "api_key", "missing"),
    [("", "k", "INQUIRY_HTTP_BASE_URL"), ("https://inquiry.example.ir", "", "API_KEY")],
)
def test_http_backend_without_base_url_or_key_is_improperly_configured(
    settings, base_url, api_key, missing
):
    settings.INQUIRY_BACKEND = "http"
    settings.INQUIRY_HTTP_BASE_URL = base_url
    settings.INQUIRY_HTTP_API_KEY = api_key
    with pytest.raises(ImproperlyConfigured, match=missing):
        get_backend()
