"""Demo accounts. The people are the fake inquiry backend's demo identities
(docs/demo-identities.md), so what the registries answer matches the account."""

from datetime import date

from django.db import transaction

from payam.audit import audit_record
from payam.constants import Province
from payam.demo import DemoLogin

from .constants import Gender, InboxStatus
from .models import LegalPerson, NaturalPerson, Role, User, UserKind
from .services import role_grant

DEMO_PASSWORD = "Payam-Demo-1404"  # noqa: S105 — printed on purpose: demo only

DEMO_USERS = (
    # username, first, last, kind, is_staff, is_superuser, role
    ("0012345679", "علی", "رضایی", UserKind.NATURAL, False, False, "citizen"),
    (
        "0023456787",
        "مریم",
        "احمدی",
        UserKind.NATURAL,
        False,
        False,
        "citizen (company's proxy)",
    ),
    (
        "10100123456",
        "شرکت نوآوران پارس",
        "",
        UserKind.LEGAL,
        False,
        False,
        "company (CEO: مریم احمدی)",
    ),
    ("ito.expert", "سارا", "محمدی", UserKind.STAFF, False, False, "ITO expert"),
    ("broker.clerk", "کامران", "صادقی", UserKind.STAFF, False, False, "broker-office clerk"),
    ("admin", "مدیر", "سامانه", UserKind.STAFF, True, True, "administrator"),
)

# Staff roles without an organization (the clerk's role, for an office, is
# granted by brokers/demo.py).
DEMO_ROLES = (("ito.expert", Role.ITO_EXPERT),)


@transaction.atomic
def seed() -> list[DemoLogin]:
    logins = []
    for username, first, last, kind, is_staff, is_superuser, role in DEMO_USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "kind": kind,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "is_active": True,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if created:
            audit_record(actor=None, action="demo.user_create", target=user, data={"role": role})
        logins.append(DemoLogin(role=role, username=username, password=DEMO_PASSWORD))
    _seed_profiles()
    admin = User.objects.get(username="admin")
    for username, role in DEMO_ROLES:
        role_grant(actor=admin, user=User.objects.get(username=username), role=role)
    return logins


def _seed_profiles() -> None:
    """Profiles as the demo registries know them (docs/demo-identities.md); the
    inboxes are already activated, as after a visit to a broker office."""
    NaturalPerson.objects.update_or_create(
        national_code="0012345679",
        defaults={
            "user": User.objects.get(username="0012345679"),
            "first_name": "علی",
            "last_name": "رضایی",
            "father_name": "حسن",
            "birth_date": date(1985, 3, 21),
            "gender": Gender.MALE,
            "mobile": "+989121234567",
            "inbox_status": InboxStatus.ACTIVE,
            "province": Province.TEHRAN,
        },
    )
    NaturalPerson.objects.update_or_create(
        national_code="0023456787",
        defaults={
            "user": User.objects.get(username="0023456787"),
            "first_name": "مریم",
            "last_name": "احمدی",
            "father_name": "محمود",
            "birth_date": date(1990, 7, 15),
            "gender": Gender.FEMALE,
            "mobile": "+989123456789",
            "inbox_status": InboxStatus.ACTIVE,
            "province": Province.ESFAHAN,
        },
    )
    LegalPerson.objects.update_or_create(
        national_id="10100123456",
        defaults={
            "user": User.objects.get(username="10100123456"),
            "name": "شرکت نوآوران پارس (سهامی خاص)",
            "registration_number": "512345",
            "ceo_national_code": "0023456787",
            "ceo_name": "مریم احمدی",
            "mobile": "+989123456789",
            "inbox_status": InboxStatus.ACTIVE,
            "province": Province.TEHRAN,
        },
    )
