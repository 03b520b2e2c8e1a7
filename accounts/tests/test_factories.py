"""The factories the tests build people with: what they make passes the models'
own validation, and no two made people share a code, an ID or a mobile."""

import pytest

from accounts.models import LegalPerson, NaturalPerson
from payam.identifiers import is_valid_legal_id, is_valid_national_code

from .factories import (
    ALI,
    AliFactory,
    CitizenFactory,
    CompanyFactory,
    NoavaranFactory,
    unused_national_codes,
)

pytestmark = pytest.mark.django_db


def test_made_people_are_valid_and_distinct():
    citizens = [CitizenFactory() for _ in range(3)]
    companies = [CompanyFactory() for _ in range(3)]
    people = [NaturalPerson.objects.get(user=u) for u in citizens]
    firms = [LegalPerson.objects.get(user=u) for u in companies]
    for profile in people + firms:
        profile.full_clean()
        profile.user.full_clean()
    assert all(is_valid_national_code(p.national_code) for p in people)
    assert all(is_valid_legal_id(f.national_id) and is_valid_national_code(f.ceo_national_code)
               for f in firms)  # fmt: skip
    assert len({p.national_code for p in people}) == 3
    assert len({f.national_id for f in firms}) == 3
    assert len({p.mobile for p in people + firms}) == 6


def test_codes_for_people_without_an_account_are_valid_and_never_made():
    made = {CitizenFactory().username for _ in range(3)} | {AliFactory().username}
    unused = unused_national_codes(50)
    assert all(is_valid_national_code(code) for code in unused)
    assert not made & set(unused) and ALI not in unused


def test_the_demo_company_is_run_by_its_registry_ceo():
    profile = LegalPerson.objects.get(user=NoavaranFactory())
    assert (profile.national_id, profile.ceo_national_code) == ("10100123456", "0023456787")
