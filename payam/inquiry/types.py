"""What the upstream registries answer, as immutable values.

Both backends build these through `from_json`, so an answer from the HTTP
upstream and a row of the demo fixture are checked by the same rules: valid
checksums, ISO dates, known enum values, names normalized the way the rest of
Payam stores them. A value that breaks a rule raises ValueError; the HTTP
backend turns that into InquiryUnavailable, the fake backend into
ImproperlyConfigured.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeAlias

from payam.identifiers import is_valid_legal_id, is_valid_national_code
from payam.text import normalize_name

Gender: TypeAlias = Literal["male", "female"]
CompanyStatus: TypeAlias = Literal["active", "dissolved", "suspended"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_GENDERS: dict[str, Gender] = {"male": "male", "female": "female"}
_STATUSES: dict[str, CompanyStatus] = {
    "active": "active",
    "dissolved": "dissolved",
    "suspended": "suspended",
}


@dataclass(frozen=True)
class CivilIdentity:
    """A natural person as the civil registry (ثبت احوال) knows them."""

    national_code: str
    first_name: str
    last_name: str
    father_name: str
    birth_date: date
    gender: Gender
    is_alive: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def from_json(cls, data: object) -> "CivilIdentity":
        """`{"national_code", "first_name", "last_name", "father_name",
        "birth_date": "YYYY-MM-DD", "gender": "male"|"female", "is_alive": bool}`."""
        obj = _object(data)
        national_code = _text(obj, "national_code")
        if not is_valid_national_code(national_code):
            raise ValueError("national_code fails its checksum")
        gender = _GENDERS.get(_text(obj, "gender"))
        if gender is None:
            raise ValueError("gender is neither 'male' nor 'female'")
        return cls(
            national_code=national_code,
            first_name=_name(obj, "first_name"),
            last_name=_name(obj, "last_name"),
            father_name=_name(obj, "father_name", required=False),
            birth_date=_date(obj, "birth_date"),
            gender=gender,
            is_alive=_bool(obj, "is_alive"),
        )


@dataclass(frozen=True)
class CompanyRecord:
    """A legal person as the company registry (ثبت شرکت‌ها) knows it."""

    national_id: str
    name: str
    registration_number: str
    registered_on: date | None
    ceo_national_code: str
    ceo_full_name: str
    status: CompanyStatus

    @classmethod
    def from_json(cls, data: object) -> "CompanyRecord":
        """`{"national_id", "name", "registration_number", "registered_on":
        "YYYY-MM-DD"|null, "ceo_national_code", "ceo_full_name",
        "status": "active"|"dissolved"|"suspended"}`."""
        obj = _object(data)
        national_id = _text(obj, "national_id")
        if not is_valid_legal_id(national_id):
            raise ValueError("national_id fails its checksum")
        ceo_national_code = _text(obj, "ceo_national_code")
        if not is_valid_national_code(ceo_national_code):
            raise ValueError("ceo_national_code fails its checksum")
        status = _STATUSES.get(_text(obj, "status"))
        if status is None:
            raise ValueError("status is not one of active, dissolved, suspended")
        registration_number = _text(obj, "registration_number").strip()
        if not registration_number:
            raise ValueError("registration_number is empty")
        registered_on = None if obj.get("registered_on") is None else _date(obj, "registered_on")
        return cls(
            national_id=national_id,
            name=_name(obj, "name"),
            registration_number=registration_number,
            registered_on=registered_on,
            ceo_national_code=ceo_national_code,
            ceo_full_name=_name(obj, "ceo_full_name"),
            status=status,
        )


def _object(data: object) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _text(obj: Mapping[str, object], key: str) -> str:
    if key not in obj:
        raise ValueError(f"{key} is missing")
    value = obj[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


def _name(obj: Mapping[str, object], key: str, *, required: bool = True) -> str:
    value = normalize_name(_text(obj, key))
    if required and not value:
        raise ValueError(f"{key} is empty")
    return value


def _date(obj: Mapping[str, object], key: str) -> date:
    raw = _text(obj, key)
    # The pattern first: date.fromisoformat also takes 20240101 and 2024-W01-1.
    if not _ISO_DATE.fullmatch(raw):
        raise ValueError(f"{key} is not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{key} is not a real day") from None


def _bool(obj: Mapping[str, object], key: str) -> bool:
    if key not in obj:
        raise ValueError(f"{key} is missing")
    value = obj[key]
    if not isinstance(value, bool):
        raise ValueError(f"{key} is not true or false")
    return value
