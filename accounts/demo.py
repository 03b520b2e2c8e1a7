"""Demo accounts. The people are the fake inquiry backend's demo identities
(docs/demo-identities.md), so what the registries answer matches the account."""

from django.db import transaction

from payam.audit import audit_record
from payam.demo import DemoLogin

from .models import User, UserKind

DEMO_PASSWORD = "Payam-Demo-1404"  # noqa: S105 — printed on purpose: demo only

DEMO_USERS = (
    # username, first, last, kind, is_staff, is_superuser, role
    ("0012345679", "علی", "رضایی", UserKind.NATURAL, False, False, "citizen"),
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
    return logins
