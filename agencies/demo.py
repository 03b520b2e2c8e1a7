"""Demo agencies and one application waiting for the demo ITO expert.

The mailbox demo seeds three agency mailboxes; each becomes an Agency holding
its mailbox and its sender (the tax organization's 4040123, social security's
4040456), with a national ID and details. Then سازمان ملی استاندارد ایران has
filed its registration two days ago, represented by زهرا حسینی (a demo identity
of the fake registries), so `make run` has a pending application at
/review/agencies/ for ito.expert to send back, reject or approve. فاطمه نوری
(ag0067891233, the demo password) administers the tax organization at /agency/;
ito.expert has granted the tax organization the crisis-notice permission, so
she writes one at /agency/broadcasts/ and ito.expert confirms it at
/review/broadcasts/ (it reaches علی رضایی and the company in Tehran, مریم احمدی
in Esfahan, by banner and by SMS on /dev/outbox/).

Runs after the mailbox demo (INSTALLED_APPS order). Seeding again changes nothing."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User, UserKind
from accounts.services import role_grant
from mailbox.constants import MailboxKind
from mailbox.demo import DEMO_AGENCIES, JUDICIARY, SOCIAL_SECURITY, TAX
from mailbox.models import Mailbox
from payam import tracking
from payam.audit import audit_record
from payam.demo import DemoLogin
from sms.models import SenderNumber

from .constants import AgencyKind, ApplicationStatus, Province
from .models import Agency, AgencyApplication, ApplicationChange
from .services import member_username

# name: (national ID, kind, parent body, sender number, e-mail domain)
DEMO_DETAILS = {
    TAX: ("14000123453", AgencyKind.ORGANIZATION, "وزارت امور اقتصادی و دارایی", "4040123",
          "intamedia.ir"),
    SOCIAL_SECURITY: ("14000234567", AgencyKind.ORGANIZATION, "وزارت تعاون، کار و رفاه اجتماعی",
                      "4040456", "tamin.ir"),
    JUDICIARY: ("14000345670", AgencyKind.PUBLIC_BODY, "قوه قضاییه", None, "adliran.ir"),
}  # fmt: skip

PENDING_NATIONAL_ID = "14000456784"
TAX_ADMIN = "0067891233"  # فاطمه نوری
PENDING_WAITING_DAYS = 2


def _agency(name: str) -> Agency:
    mailbox = Mailbox.objects.get(kind=MailboxKind.AGENCY, display_name=name)
    national_id, kind, parent, number, domain = DEMO_DETAILS[name]
    agency = Agency.objects.filter(mailbox=mailbox).first()
    if agency is None:
        agency = Agency.objects.create(name=name, mailbox=mailbox)
        audit_record(actor=None, action="demo.agency_create", target=agency)
    if agency.national_id is None:
        agency.national_id = national_id
        agency.kind, agency.parent_body, agency.email_domain = kind, parent, domain
        agency.province, agency.city = Province.TEHRAN, "تهران"
        agency.address, agency.phone = "تهران", "02100000000"
        agency.save()
    if agency.sender_id is None and number is not None:
        sender = SenderNumber.objects.filter(number=number, agency__isnull=True).first()
        if sender is not None:
            agency.sender = sender
            agency.save(update_fields=["sender"])
    return agency


def _pending_application() -> None:
    if AgencyApplication.objects.filter(national_id=PENDING_NATIONAL_ID).exists():
        return
    filed = timezone.now() - timedelta(days=PENDING_WAITING_DAYS)
    application = AgencyApplication.objects.create(
        tracking_code=tracking.issue(kind=tracking.TrackingKind.AGENCY_REGISTRATION),
        status=ApplicationStatus.PENDING,
        name="سازمان ملی استاندارد ایران",
        kind=AgencyKind.ORGANIZATION,
        parent_body="ریاست جمهوری",
        national_id=PENDING_NATIONAL_ID,
        province=Province.ALBORZ,
        city="کرج",
        address="کرج، میدان استاندارد",
        phone="02632803870",
        website="https://www.isiri.gov.ir",
        email_domain="isiri.gov.ir",
        rep_national_code="0045678911",
        rep_birth_date=date(1979, 5, 30),
        rep_first_name="زهرا",
        rep_last_name="حسینی",
        rep_position="مدیر کل فناوری اطلاعات",
        rep_mobile="+989364567890",
        rep_email="z.hosseini@isiri.gov.ir",
        terms_accepted_at=filed,
        shahkar_matched=True,
        civil_identity={
            "national_code": "0045678911",
            "first_name": "زهرا",
            "last_name": "حسینی",
            "father_name": "مهدی",
            "birth_date": "1979-05-30",
            "gender": "female",
            "is_alive": True,
        },
        inquired_at=filed,
        created_at=filed,
        submitted_at=filed,
    )
    ApplicationChange.objects.create(
        application=application,
        from_status=ApplicationStatus.DRAFT,
        to_status=ApplicationStatus.PENDING,
        at=filed,
    )
    audit_record(actor=None, action="demo.agency_application", target=application)


def _tax_admin(tax: Agency) -> DemoLogin:
    """فاطمه نوری (a demo identity) administers the tax organization: her staff
    account, named as every member's is (ag + national code), with the demo
    password; like every agency admin she sets up two-factor at the first sign-in."""
    user, created = User.objects.get_or_create(
        username=member_username(TAX_ADMIN),
        defaults={"first_name": "فاطمه", "last_name": "نوری", "kind": UserKind.STAFF},
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if created:
        audit_record(actor=None, action="demo.user_create", target=user, data={"role": "agency"})
    role_grant(
        actor=User.objects.get(username="admin"),
        user=user,
        role=Role.AGENCY_ADMIN,
        organization=tax,
    )
    return DemoLogin(role="agency admin (tax org.)", username=user.username, password=DEMO_PASSWORD)


def _broadcast_permission(tax: Agency) -> None:
    """The tax organization may send crisis notices, granted by the demo expert."""
    if tax.may_broadcast:
        return
    tax.may_broadcast = True
    tax.broadcast_changed_by = User.objects.get(username="ito.expert")
    tax.broadcast_changed_at = timezone.now()
    tax.save(update_fields=["may_broadcast", "broadcast_changed_by", "broadcast_changed_at"])
    audit_record(actor=None, action="demo.agency_broadcast_grant", target=tax)


@transaction.atomic
def seed() -> list[DemoLogin]:
    agencies = {name: _agency(name) for name, _accepts in DEMO_AGENCIES}
    _pending_application()
    _broadcast_permission(agencies[TAX])
    return [_tax_admin(agencies[TAX])]
