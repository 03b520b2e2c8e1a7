"""The demo service catalog (the services the current portal shows, in a few
groups, on GSB and PGSB) and, for the demo company شرکت نوآوران پارس
(10100123456), its e-mail domain, one system and one technical person, so the
GSB/PGSB wizard of `make run` has something to choose.

Runs after the accounts and mailbox demos (INSTALLED_APPS order). Seeding again
changes nothing."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from mailbox.services import mailbox_for_user
from payam.audit import audit_record
from payam.demo import DemoLogin

from .constants import Platform, SystemPlatform
from .models import ApplicantDomain, OrgSystem, Service, ServiceGroup, TechnicalPerson

COMPANY = "10100123456"
COMPANY_DOMAIN = "noavaran-pars.ir"

# group: [(provider, Persian name, English name, platform, cost ("" = free), days ago)]
CATALOG: dict[str, list[tuple[str, str, str, str, str, int]]] = {
    "هویت و ارتباطات": [
        ("سازمان تنظیم مقررات و ارتباطات رادیویی", "شاهکار: تطابق شماره‌ی همراه و کد ملی",
         "Shahkar mobile ownership inquiry", Platform.GSB, "", 400),
        ("سازمان تنظیم مقررات و ارتباطات رادیویی", "شاهکار: تطابق شماره‌ی همراه و کد ملی",
         "Shahkar mobile ownership inquiry", Platform.PGSB, "هر استعلام ۵۰۰ ریال", 200),
        ("سازمان ثبت احوال کشور", "استعلام هویت (ثبت احوال)",
         "Civil registry identity inquiry", Platform.GSB, "", 380),
        ("سازمان ثبت احوال کشور", "استعلام هویت (ثبت احوال)",
         "Civil registry identity inquiry", Platform.PGSB, "هر استعلام ۱۰۰۰ ریال", 150),
    ],
    "نشانی و مکان": [
        ("شرکت ملی پست", "استعلام کد پستی (GNAF)", "Postal code inquiry (GNAF)",
         Platform.GSB, "", 350),
        ("شرکت ملی پست", "استعلام کد پستی (GNAF)", "Postal code inquiry (GNAF)",
         Platform.PGSB, "", 120),
    ],
    "قضایی": [
        ("قوه قضاییه", "استعلام ثبت‌نام در سامانه‌ی ثنا", "SANA registration inquiry",
         Platform.GSB, "", 300),
        ("قوه قضاییه", "ابلاغ الکترونیک اوراق قضایی", "Electronic judicial notice",
         Platform.GSB, "", 280),
        ("قوه قضاییه", "استعلام گواهی عدم سوءپیشینه", "Criminal record certificate inquiry",
         Platform.GSB, "هر استعلام ۲۰۰۰ ریال", 90),
    ],
    "بیمه و املاک": [
        ("سازمان تأمین اجتماعی", "استعلام سوابق بیمه", "Insurance record inquiry",
         Platform.GSB, "", 250),
        ("بیمه مرکزی جمهوری اسلامی ایران", "استعلام بیمه‌نامه‌ی شخص ثالث",
         "Third-party insurance policy inquiry", Platform.PGSB, "", 60),
        ("سازمان ثبت اسناد و املاک کشور", "استعلام مالکیت املاک", "Land ownership inquiry",
         Platform.GSB, "هر استعلام ۳۰۰۰ ریال", 200),
    ],
}  # fmt: skip


def seed_catalog() -> None:
    today = timezone.localdate()
    for position, (group_name, services) in enumerate(CATALOG.items()):
        group, _ = ServiceGroup.objects.get_or_create(
            name=group_name, defaults={"position": position}
        )
        for provider, name_fa, name_en, platform, cost, days in services:
            Service.objects.get_or_create(
                provider=provider,
                name_en=name_en,
                platform=platform,
                defaults={
                    "group": group,
                    "name_fa": name_fa,
                    "is_free": not cost,
                    "cost": cost,
                    "added_on": today - timedelta(days=days),
                },
            )


def seed_company() -> None:
    user = User.objects.filter(username=COMPANY).first()
    if user is None:
        return
    applicant = mailbox_for_user(user=user)
    if not ApplicantDomain.objects.filter(applicant=applicant).exists():
        row = ApplicantDomain.objects.create(applicant=applicant, email_domain=COMPANY_DOMAIN)
        audit_record(actor=None, action="demo.gateway_domain", target=row)
    if not OrgSystem.objects.filter(applicant=applicant).exists():
        OrgSystem.objects.create(
            applicant=applicant,
            title="سامانه‌ی احراز هویت مشتریان",
            url="https://kyc.noavaran-pars.ir",
            ip_address="192.0.2.10",
            platform=SystemPlatform.GOVERNMENT,
            description="احراز هویت مشتریان با شاهکار و ثبت احوال",
        )
    if not TechnicalPerson.objects.filter(applicant=applicant).exists():
        TechnicalPerson.objects.create(
            applicant=applicant,
            first_name="مریم",
            last_name="احمدی",
            mobile="+989123456789",
            email=f"m.ahmadi@{COMPANY_DOMAIN}",
        )


def seed() -> list[DemoLogin]:
    seed_catalog()
    seed_company()
    return []
