"""A deterministic stand-in for the upstream registries, for development, demos
and tests. It answers only from the JSON fixture in INQUIRY_FAKE_FIXTURE
(docs/demo-identities.md describes the shipped one) and never opens a socket.

Fixture layout::

    {"persons":   [{<CivilIdentity fields>, "mobiles": ["+989…"], "note": "…"}],
     "companies": [{<CompanyRecord fields>, "note": "…"}],
     "not_in_registry":  {"national_codes": […], "national_ids": […]},
     "simulated_outage": {"national_codes": […], "national_ids": […], "mobiles": […]}}

A person's `mobiles` are the lines Shahkar has registered to them. Codes in
`not_in_registry` are absent like any other unknown code; they are listed so
demos and tests can name them and their checksums are checked. Anything in
`simulated_outage` raises InquiryUnavailable.
"""

import functools
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from payam.identifiers import is_valid_legal_id, is_valid_national_code
from payam.inquiry.exceptions import (
    BirthDateMismatch,
    CompanyNotFound,
    IdentityNotFound,
    InquiryUnavailable,
)
from payam.inquiry.types import CivilIdentity, CompanyRecord
from payam.phone import normalize_mobile

logger = logging.getLogger("payam.inquiry")


@dataclass(frozen=True)
class DemoFixture:
    """The fixture file, parsed and checked."""

    persons: Mapping[str, CivilIdentity]
    mobile_owners: Mapping[str, str]  # +989… → national code
    companies: Mapping[str, CompanyRecord]
    absent_national_codes: frozenset[str]
    absent_national_ids: frozenset[str]
    outage_national_codes: frozenset[str]
    outage_national_ids: frozenset[str]
    outage_mobiles: frozenset[str]


@functools.cache
def load_fixture(path: str) -> DemoFixture:
    """Read and check the fixture at `path`, once per path per process."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return _parse_fixture(raw)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"INQUIRY_FAKE_FIXTURE {path}: {exc}") from exc


def _parse_fixture(raw: object) -> DemoFixture:
    if not isinstance(raw, dict):
        raise ValueError("the top level is not a JSON object")
    persons: dict[str, CivilIdentity] = {}
    mobile_owners: dict[str, str] = {}
    for index, entry in enumerate(_list(raw, "persons")):
        try:
            person = CivilIdentity.from_json(entry)
            mobiles = [_mobile(m) for m in _list(entry, "mobiles")]
        except ValueError as exc:
            raise ValueError(f"persons[{index}]: {exc}") from None
        if person.national_code in persons:
            raise ValueError(f"persons[{index}]: national code {person.national_code} repeated")
        persons[person.national_code] = person
        for mobile in mobiles:
            if mobile in mobile_owners:
                raise ValueError(f"persons[{index}]: mobile {mobile} already has an owner")
            mobile_owners[mobile] = person.national_code

    companies: dict[str, CompanyRecord] = {}
    for index, entry in enumerate(_list(raw, "companies")):
        try:
            company = CompanyRecord.from_json(entry)
        except ValueError as exc:
            raise ValueError(f"companies[{index}]: {exc}") from None
        if company.national_id in companies:
            raise ValueError(f"companies[{index}]: national ID {company.national_id} repeated")
        companies[company.national_id] = company

    absent = _object(raw, "not_in_registry")
    outage = _object(raw, "simulated_outage")
    absent_codes = _codes(absent, "national_codes", is_valid_national_code)
    absent_ids = _codes(absent, "national_ids", is_valid_legal_id)
    outage_codes = _codes(outage, "national_codes", is_valid_national_code)
    outage_ids = _codes(outage, "national_ids", is_valid_legal_id)
    outage_mobiles = frozenset(_mobile(m) for m in _list(outage, "mobiles"))
    if clash := (absent_codes | outage_codes) & persons.keys():
        raise ValueError(f"{sorted(clash)} listed as a person and as absent or down")
    if clash := (absent_ids | outage_ids) & companies.keys():
        raise ValueError(f"{sorted(clash)} listed as a company and as absent or down")
    if clash := outage_mobiles & mobile_owners.keys():
        raise ValueError(f"{sorted(clash)} listed as a person's mobile and as down")
    return DemoFixture(
        persons=persons,
        mobile_owners=mobile_owners,
        companies=companies,
        absent_national_codes=absent_codes,
        absent_national_ids=absent_ids,
        outage_national_codes=outage_codes,
        outage_national_ids=outage_ids,
        outage_mobiles=outage_mobiles,
    )


def _object(raw: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{key} is not a JSON object")
    return value


def _list(raw: object, key: str) -> list[object]:
    value = raw.get(key, []) if isinstance(raw, dict) else None
    if not isinstance(value, list):
        raise ValueError(f"{key} is not a JSON list")
    return value


def _codes(raw: Mapping[str, object], key: str, is_valid: Callable[[str], bool]) -> frozenset[str]:
    codes = _list(raw, key)
    for code in codes:
        if not isinstance(code, str) or not is_valid(code):
            raise ValueError(f"{key}: {code!r} fails its checksum")
    return frozenset(str(code) for code in codes)


def _mobile(value: object) -> str:
    """The fixture writes mobiles exactly as callers pass them: +989XXXXXXXXX."""
    try:
        if isinstance(value, str) and normalize_mobile(value) == value:
            return value
    except ValidationError:
        pass
    raise ValueError(f"mobile {value!r} is not written as +989XXXXXXXXX")


class FakeInquiryBackend:
    """Answers from a DemoFixture; see the module docstring for the rules."""

    def __init__(self, fixture: DemoFixture) -> None:
        self.fixture = fixture

    @classmethod
    def from_settings(cls) -> "FakeInquiryBackend":
        return cls(load_fixture(os.fspath(settings.INQUIRY_FAKE_FIXTURE)))

    def shahkar_matches(self, *, national_code: str, mobile: str) -> bool:
        mobile = normalize_mobile(mobile)
        self._outage_check(national_code in self.fixture.outage_national_codes, "national code")
        self._outage_check(mobile in self.fixture.outage_mobiles, "mobile")
        return self.fixture.mobile_owners.get(mobile) == national_code

    def civil_identity(self, *, national_code: str, birth_date: date) -> CivilIdentity:
        self._outage_check(national_code in self.fixture.outage_national_codes, "national code")
        person = self.fixture.persons.get(national_code)
        if person is None:
            raise IdentityNotFound("fake: national code not in the fixture")
        if person.birth_date != birth_date:
            raise BirthDateMismatch("fake: birth date differs from the fixture")
        return person

    def company_record(self, *, national_id: str) -> CompanyRecord:
        self._outage_check(national_id in self.fixture.outage_national_ids, "national ID")
        company = self.fixture.companies.get(national_id)
        if company is None:
            raise CompanyNotFound("fake: national ID not in the fixture")
        return company

    @staticmethod
    def _outage_check(down: bool, what: str) -> None:
        if down:
            logger.info("Fake inquiry backend: simulated outage for a demo %s", what)
            raise InquiryUnavailable(f"fake: simulated outage for a demo {what}")
