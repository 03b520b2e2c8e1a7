"""factory_boy factories for agencies.

    AgencyFactory()                          # an agency with its mailbox and sender
    ApplicationFactory()                     # a pending application (filed now)
    ApplicationFactory(status="returned")    # any status
    expert()                                 # a staff account with the ITO expert role
    agency_admin(agency)                     # a staff account that is the agency's admin

The representative of a made application is زهرا حسینی (0045678911), whom the
fake civil registry and Shahkar know (docs/demo-identities.md).
"""

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from accounts.services import role_grant
from accounts.tests.factories import StaffFactory, SuperuserFactory, legal_id
from agencies.constants import AgencyKind, ApplicationStatus, Province
from agencies.models import Agency, AgencyApplication
from mailbox.tests.factories import AgencyMailboxFactory
from payam import tracking
from sms.tests.factories import SenderNumberFactory

ZAHRA, ZAHRA_MOBILE, ZAHRA_BORN = "0045678911", "+989364567890", date(1979, 5, 30)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"سازمان نمونه {n}")
    kind = AgencyKind.ORGANIZATION
    national_id = factory.Sequence(lambda n: legal_id(500 + n))
    province = Province.TEHRAN
    city = "تهران"
    address = "تهران، خیابان آزادی"
    phone = "02188888888"
    email_domain = factory.Sequence(lambda n: f"org{n}.gov.ir")
    mailbox = factory.SubFactory(AgencyMailboxFactory, display_name=factory.SelfAttribute("..name"))
    sender = factory.SubFactory(SenderNumberFactory, owner_label=factory.SelfAttribute("..name"))


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = AgencyApplication

    tracking_code = factory.LazyFunction(
        lambda: tracking.issue(kind=tracking.TrackingKind.AGENCY_REGISTRATION)
    )
    status = ApplicationStatus.PENDING
    name = factory.Sequence(lambda n: f"سازمان متقاضی {n}")
    kind = AgencyKind.ORGANIZATION
    parent_body = "وزارت ارتباطات و فناوری اطلاعات"
    national_id = factory.Sequence(lambda n: legal_id(700 + n))
    province = Province.ESFAHAN
    city = "اصفهان"
    address = "اصفهان، میدان امام"
    phone = "03133333333"
    website = ""
    email_domain = "sample.gov.ir"
    rep_national_code = ZAHRA
    rep_birth_date = ZAHRA_BORN
    rep_first_name = "زهرا"
    rep_last_name = "حسینی"
    rep_position = "مدیر فناوری اطلاعات"
    rep_mobile = ZAHRA_MOBILE
    rep_email = "z.hosseini@sample.gov.ir"
    terms_accepted_at = factory.LazyFunction(timezone.now)
    shahkar_matched = True
    civil_identity = factory.LazyFunction(
        lambda: {"national_code": ZAHRA, "first_name": "زهرا", "last_name": "حسینی"}
    )
    inquired_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)


def expert(username: str = "") -> User:
    user = StaffFactory(**({"username": username} if username else {}))
    role_grant(actor=SuperuserFactory(), user=user, role=Role.ITO_EXPERT)
    return user


def member(agency: Agency, role: Role = Role.AGENCY_ADMIN, **kwargs: object) -> User:
    user = StaffFactory(**kwargs)
    role_grant(actor=SuperuserFactory(), user=user, role=role, organization=agency)
    return user


def agency_admin(agency: Agency, **kwargs: object) -> User:
    return member(agency, Role.AGENCY_ADMIN, **kwargs)
