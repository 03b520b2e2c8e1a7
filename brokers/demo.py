"""Demo broker offices: two offices of different kinds in different cities,
each with a manager and a clerk, and the print tariff. The README's clerk
(`broker.clerk`, کامران صادقی) works at the Tehran counter office.

Runs after accounts' demo (INSTALLED_APPS order): the admin and the clerk exist.
Seeding again changes nothing."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, RoleGrant, User, UserKind
from accounts.services import role_grant, role_revoke
from payam.audit import audit_record
from payam.demo import DemoLogin

from .constants import OfficeKind
from .models import BrokerOffice, PrintTariff

DEMO_OFFICES = (
    # code, kind, name, province, city, address, phone
    (
        "11001",
        OfficeKind.GOVERNMENT_COUNTER,
        "دفتر پیشخوان خدمات دولت ونک",
        "تهران",
        "تهران",
        "تهران، میدان ونک، خیابان ملاصدرا، پلاک ۱۲",
        "02188001100",
    ),
    (
        "31002",
        OfficeKind.JUDICIARY,
        "دفتر خدمات الکترونیک قضایی چهارباغ",
        "اصفهان",
        "اصفهان",
        "اصفهان، خیابان چهارباغ عباسی، پلاک ۴۸",
        "03132201200",
    ),
)

# username, first, last, role, office code, note
DEMO_STAFF = (
    ("broker.manager", "نرگس", "کاظمی", Role.BROKER_MANAGER, "11001", "office manager, Tehran"),
    ("broker.clerk", "کامران", "صادقی", Role.BROKER_CLERK, "11001", "office clerk, Tehran"),
    ("broker2.manager", "بهرام", "یزدانی", Role.BROKER_MANAGER, "31002", "office manager, Isfahan"),
    ("broker2.clerk", "لیلا", "شریفی", Role.BROKER_CLERK, "31002", "office clerk, Isfahan"),
)

DEMO_TARIFF_RIALS = 50_000
DEMO_TARIFF_DECISION = "نمونه‌ی نمایشی (نه مصوبه‌ی واقعی)"


def _office(
    code: str, kind: str, name: str, province: str, city: str, address: str, phone: str
) -> BrokerOffice:
    office, _created = BrokerOffice.objects.update_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name": name,
            "province": province,
            "city": city,
            "address": address,
            "phone": phone,
            "active": True,
        },
    )
    return office


def _staff(username: str, first: str, last: str) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "kind": UserKind.STAFF,
            "is_active": True,
        },
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if created:
        audit_record(actor=None, action="demo.user_create", target=user, data={"role": "broker"})
    return user


@transaction.atomic
def seed() -> list[DemoLogin]:
    admin = User.objects.get(username="admin")
    offices = {row[0]: _office(*row) for row in DEMO_OFFICES}
    office_type = ContentType.objects.get_for_model(BrokerOffice)
    logins = []
    for username, first, last, role, code, note in DEMO_STAFF:
        user = _staff(username, first, last)
        # A broker role without an office (as older demos made it) is ended: a
        # clerk works for one office.
        for stray in RoleGrant.objects.filter(
            user=user,
            role__in=[Role.BROKER_CLERK, Role.BROKER_MANAGER],
            revoked_at__isnull=True,
        ).exclude(organization_type=office_type, organization_id=offices[code].pk):
            role_revoke(actor=admin, grant=stray)
        role_grant(actor=admin, user=user, role=role, organization=offices[code])
        if username != "broker.clerk":  # listed by accounts' demo already
            logins.append(DemoLogin(role=note, username=username, password=DEMO_PASSWORD))
    if not PrintTariff.objects.exists():
        PrintTariff.objects.create(
            fee_rials=DEMO_TARIFF_RIALS,
            decision=DEMO_TARIFF_DECISION,
            valid_from=timezone.now() - timedelta(days=365),
            created_by=admin,
        )
    return logins
