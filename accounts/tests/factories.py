"""factory_boy factories for accounts: accounts, citizens, companies and staff.

Every generated national code and national ID passes its checksum and comes from
a sequence, so two never collide; they lie outside the demo identities of
docs/demo-identities.md and outside `unused_national_codes` (people with no
account). The demo people, whom the fake registries know, have factories of their own:

    CitizenFactory()                        # a fresh citizen, registered, no password
    AliFactory(password=PW)                 # علی رضایی, 0012345679, +989121234567
    CitizenFactory(profile__email="a@example.ir", profile__email_verified=True)
    NoavaranFactory()                       # شرکت نوآوران پارس, CEO مریم احمدی
    StaffFactory(username="ito.sara")
    UserFactory(kind=UserKind.LEGAL)        # an account without a profile

Accounts are made with `create_user`, so a `password` is hashed and an account
without one has an unusable password, as one made by registration before it
sets one.
"""

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.constants import Gender
from accounts.models import LegalPerson, NaturalPerson, User, UserKind
from payam.identifiers import (
    is_valid_legal_id,
    is_valid_national_code,
    legal_id_check_digit,
    national_code_check_digit,
)

# The demo identities (payam/inquiry/demo_identities.json).
ALI, MARYAM, REZA = "0012345679", "0023456787", "0034567895"
NOAVARAN = "10100123456"  # شرکت نوآوران پارس; its CEO is مریم احمدی
ALI_MOBILE, MARYAM_MOBILE, REZA_MOBILE = "+989121234567", "+989123456789", "+989193456789"

# The first nine digits of generated codes: people without an account from 100 000 001
# on, made citizens from 200 000 000 on, made companies' CEOs from 300 000 000 on; every
# demo code is below 100 000 000.
UNUSED_CODES_START = 100_000_001
GENERATED_CODES_START = 200_000_000
CEO_CODES_START = 300_000_000


def national_code(n: int, *, start: int = GENERATED_CODES_START) -> str:
    """The n-th valid national code of the range beginning at `start` (first nine digits)."""
    first_nine = f"{start + n:09d}"
    code = first_nine + str(national_code_check_digit(first_nine))
    assert is_valid_national_code(code), code
    return code


def unused_national_codes(count: int, *, start: int = UNUSED_CODES_START) -> list[str]:
    """`count` valid national codes that no factory-made or demo person has."""
    return [national_code(n, start=start) for n in range(count)]


def legal_id(n: int) -> str:
    """The n-th valid national ID of a company (registration serial n + 1, never zero)."""
    first_ten = f"140{n + 1:06d}0"
    value = first_ten + str(legal_id_check_digit(first_ten))
    assert is_valid_legal_id(value), value
    return value


def mobile(n: int) -> str:
    """A citizen's mobile number that the fake Shahkar gives to nobody (0990…)."""
    return f"+98990{n:07d}"


def company_mobile(n: int) -> str:
    """A company's (its CEO's) mobile number, never a made citizen's (0991…)."""
    return f"+98991{n:07d}"


class UserFactory(DjangoModelFactory):
    """An account without a profile; a natural person's by default (username: a fresh code)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(national_code)
    kind = UserKind.NATURAL
    first_name = "علی"
    last_name = "رضایی"

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        return model_class.objects.create_user(*args, **kwargs)  # type: ignore[arg-type]


class StaffFactory(UserFactory):
    """A staff account (experts, clerks, agency staff), with no role until one is granted."""

    username = factory.Sequence(lambda n: f"staff.{n}")
    kind = UserKind.STAFF
    first_name = "سارا"
    last_name = "محمدی"


class SuperuserFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"admin.{n}")
    first_name = "مدیر"
    last_name = "سامانه"

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        return model_class.objects.create_superuser(*args, **kwargs)  # type: ignore[arg-type]


class NaturalPersonFactory(DjangoModelFactory):
    """The profile of a natural person; names and code follow its account."""

    class Meta:
        model = NaturalPerson

    user = factory.SubFactory(UserFactory)
    national_code = factory.SelfAttribute("user.username")
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")
    birth_date = date(1985, 3, 21)
    gender = Gender.MALE
    mobile = factory.Sequence(mobile)

    class Params:
        # `email_verified=True` (`profile__email_verified=True` from CitizenFactory): the
        # e-mail address was confirmed by its link just now.
        email_verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))


class LegalPersonFactory(DjangoModelFactory):
    """The profile of a company; its national ID follows its account."""

    class Meta:
        model = LegalPerson

    user = factory.SubFactory(UserFactory, kind=UserKind.LEGAL, username=factory.Sequence(legal_id))
    national_id = factory.SelfAttribute("user.username")
    name = factory.LazyAttribute(lambda o: f"{o.user.first_name} (سهامی خاص)")
    registration_number = factory.Sequence(lambda n: str(500_000 + n))
    ceo_national_code = factory.Sequence(lambda n: national_code(n, start=CEO_CODES_START))
    ceo_name = "حسن محمدی"
    mobile = factory.Sequence(company_mobile)


class CitizenFactory(UserFactory):
    """A citizen: the account and its NaturalPerson profile (inbox registered, not active).
    Set profile fields with `profile__<field>=`."""

    profile = factory.RelatedFactory(NaturalPersonFactory, factory_related_name="user")


class AliFactory(CitizenFactory):
    """علی رضایی (demo): the fake Shahkar matches him to +989121234567."""

    username = ALI
    first_name = "علی"
    last_name = "رضایی"
    profile__mobile = ALI_MOBILE


class MaryamFactory(CitizenFactory):
    """مریم احمدی (demo): two lines in Shahkar; CEO of شرکت نوآوران پارس."""

    username = MARYAM
    first_name = "مریم"
    last_name = "احمدی"
    profile__mobile = MARYAM_MOBILE
    profile__birth_date = date(1990, 7, 15)
    profile__gender = Gender.FEMALE


class RezaFactory(CitizenFactory):
    """رضا کریمی (demo)."""

    username = REZA
    first_name = "رضا"
    last_name = "کریمی"
    profile__mobile = REZA_MOBILE
    profile__birth_date = date(1988, 11, 2)


class CompanyFactory(UserFactory):
    """A legal person: the account (first name = the company's short name) and its
    LegalPerson profile. Set profile fields with `profile__<field>=`."""

    username = factory.Sequence(legal_id)
    kind = UserKind.LEGAL
    first_name = factory.Sequence(lambda n: f"شرکت نمونه {n}")
    last_name = ""
    profile = factory.RelatedFactory(LegalPersonFactory, factory_related_name="user")


class NoavaranFactory(CompanyFactory):
    """شرکت نوآوران پارس (demo), whose CEO is مریم احمدی."""

    username = NOAVARAN
    first_name = "شرکت نوآوران پارس"
    profile__name = "شرکت نوآوران پارس (سهامی خاص)"
    profile__registration_number = "512345"
    profile__ceo_national_code = MARYAM
    profile__ceo_name = "مریم احمدی"
    profile__mobile = MARYAM_MOBILE
