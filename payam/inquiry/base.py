"""The one interface every inquiry backend offers."""

from datetime import date
from typing import Protocol, runtime_checkable

from payam.inquiry.types import CivilIdentity, CompanyRecord


@runtime_checkable
class InquiryBackend(Protocol):
    """Callers pass normalized, validated values (ASCII digits, valid checksums,
    mobile as +989XXXXXXXXX). Every method may raise InquiryUnavailable."""

    def shahkar_matches(self, *, national_code: str, mobile: str) -> bool:
        """Shahkar (شاهکار): is `mobile` registered to `national_code`?
        False means the line belongs to someone else, or to no one we know."""
        ...

    def civil_identity(self, *, national_code: str, birth_date: date) -> CivilIdentity:
        """The civil registry's record of the person, if the birth date matches.
        Raises IdentityNotFound or BirthDateMismatch."""
        ...

    def company_record(self, *, national_id: str) -> CompanyRecord:
        """The company registry's record of a legal person. Raises CompanyNotFound."""
        ...
