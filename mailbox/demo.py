"""Demo letters: three agency mailboxes, letters to the demo citizen (0012345679)
and company (10100123456) — some read, some not, one with a PDF, one thread of
replies — letters the citizen wrote to agencies (one read by the agency and
answered, one just delivered), and one to a code nobody has registered yet (a
placeholder that the person's registration will claim); and مریم احمدی
(0023456787), the company's CEO, as the proxy of the company's inbox.

Every letter is dated relative to the day `seed_demo` runs, and so is every date
its text names (a hearing, a due date, the year of a tax return). Seeding again
changes nothing: each demo letter is known by its sender and the start of its
subject, which no date is part of.

Runs after accounts' and sms' demo (INSTALLED_APPS order), so the demo people,
the admin and the USSD service *4*1# exist."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import jdatetime
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from payam.demo import DemoLogin
from payam.jalali import MONTH_NAMES, persian_date_long
from payam.text import normalize_text, to_persian_digits
from sms.constants import UssdAction
from sms.demo_ussd import DEMO_CODE
from sms.models import UssdNode

from .constants import LetterCategory, MailboxKind, ProxyScope, ProxyStatus, ReaderRole
from .models import Delivery, Letter, Mailbox, ProxyGrant
from .services import (
    delivery_mark_read,
    letter_send,
    mailbox_for_user,
    proxy_grant,
    proxy_transition,
)

TAX = "سازمان امور مالیاتی کشور"
SOCIAL_SECURITY = "سازمان تأمین اجتماعی"
JUDICIARY = "قوه قضاییه — سامانه‌ی ثنا"
# name, whether citizens may write to it
DEMO_AGENCIES = ((TAX, True), (SOCIAL_SECURITY, True), (JUDICIARY, False))
CITIZEN, COMPANY, NOT_YET_REGISTERED = "0012345679", "10100123456", "0034567895"
COMPANY_PROXY = "0023456787"  # مریم احمدی, the company's CEO
COMPANY_PROXY_DAYS = 365


def tiny_pdf(lines: Sequence[str]) -> bytes:
    """A valid one-page PDF showing `lines` (ASCII) in Helvetica, with a correct
    cross-reference table, so viewers open it without repairing it."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(
        f"({escape(line)}) Tj T*" for line in lines
    )
    stream = content.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# A summons sent three days before seeding sets its hearing about 20 days after it.
HEARING_AFTER_DAYS = 23
WEEKEND = {5, 6}  # Thursday and Friday (jdatetime counts from Saturday, 0)


@dataclass(frozen=True)
class LetterDates:
    """What a demo letter says about dates, worked out from the day it is sent
    (Tehran), in Persian digits: so the letters agree with their own dates
    whatever day `seed_demo` runs."""

    year: str  # ۱۴۰۵: the Jalali year the letter is sent in
    last_year: str  # ۱۴۰۴
    year_before: str  # ۱۴۰۳
    last_month: str  # «آبان ۱۴۰۵»: the Jalali month before the letter's
    due: str  # ten days after the letter: «۱۴ آذر ۱۴۰۵»
    due_later: str  # thirty days after the letter
    hearing: str  # «شنبه ۲۴ آذر ۱۴۰۵»: the first working day 23 days after the letter
    case: str  # a 16-digit case number of this year: ۱۴۰۵۰۹۸۲۱۰۰۰۱۲۳۴

    @classmethod
    def of(cls, day: date) -> "LetterDates":
        j = jdatetime.date.fromgregorian(date=day)
        first_of_month = jdatetime.date(j.year, j.month, 1).togregorian()
        previous = jdatetime.date.fromgregorian(date=first_of_month - timedelta(days=1))
        hearing = day + timedelta(days=HEARING_AFTER_DAYS)
        while jdatetime.date.fromgregorian(date=hearing).weekday() in WEEKEND:
            hearing += timedelta(days=1)
        year = int(j.year)
        return cls(
            year=to_persian_digits(year),
            last_year=to_persian_digits(year - 1),
            year_before=to_persian_digits(year - 2),
            last_month=to_persian_digits(
                f"{MONTH_NAMES[int(previous.month) - 1]} {int(previous.year)}"
            ),
            due=persian_date_long(day + timedelta(days=10)),
            due_later=persian_date_long(day + timedelta(days=30)),
            hearing=persian_date_long(hearing, weekday=True),
            case=to_persian_digits(f"{year}098210001234"),
        )


@dataclass(frozen=True)
class DemoLetter:
    sender: str  # an agency name, or CITIZEN for the citizen's reply
    to: str  # a national code / ID, or an agency name
    subject: str  # may name LetterDates' fields: "… عملکرد {last_year}"
    body: str  # the same
    category: str = LetterCategory.GENERAL
    days_ago: int = 0
    read: bool = False  # by the recipient: the person, or the agency's staff
    reply_allowed: bool = False
    legal_notice: bool = False
    pdf: str = ""  # the attachment's file name
    pdf_note: str = "Sample invoice: 12,450,000 IRR"  # a line of the PDF's text
    in_reply_to: str = ""  # the key of the letter answered
    key: str = ""  # what the subject starts with whatever the dates: known by it on reseeding

    @property
    def known_by(self) -> str:
        """The start of the subject that is the same on every day of seeding."""
        return normalize_text(self.key or self.subject)

    def sent_at(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days_ago, hours=self.days_ago % 5)

    def written(self, now: datetime) -> tuple[str, str]:
        """(subject, body) with the dates of the day the letter is sent."""
        dates = asdict(LetterDates.of(timezone.localdate(self.sent_at(now))))
        return self.subject.format(**dates), self.body.format(**dates)


DEMO_LETTERS = (
    DemoLetter(
        TAX,
        CITIZEN,
        "یادآوری مهلت تسلیم اظهارنامه‌ی مالیات بر درآمد عملکرد {last_year}",
        "<p>مؤدی گرامی، آقای علی رضایی</p><p>مهلت تسلیم اظهارنامه‌ی مالیات بر درآمد "
        "عملکرد سال {last_year} تا {due_later} است. اظهارنامه را از درگاه ملی خدمات "
        "مالیاتی بفرستید.</p>",
        LetterCategory.NOTICE,
        days_ago=12,
        read=True,
        key="یادآوری مهلت تسلیم اظهارنامه‌ی مالیات بر درآمد",
    ),
    DemoLetter(
        SOCIAL_SECURITY,
        CITIZEN,
        "صورت‌حساب حق بیمه‌ی {last_month}",
        "<p>بیمه‌شده‌ی گرامی، صورت‌حساب حق بیمه‌ی {last_month} پیوست است.</p>"
        "<p>مبلغ: <strong>۱۲٬۴۵۰٬۰۰۰ ریال</strong> — مهلت پرداخت: {due}</p>",
        LetterCategory.INVOICE,
        days_ago=9,
        read=True,
        pdf="soorat-hesab-hagh-bime.pdf",
        key="صورت‌حساب حق بیمه‌ی",
    ),
    DemoLetter(
        JUDICIARY,
        CITIZEN,
        "ابلاغیه‌ی الکترونیکی پرونده‌ی {case}",
        "<p>ابلاغیه‌ی الکترونیکی: وقت رسیدگی به پرونده‌ی شماره‌ی {case} "
        "روز {hearing} ساعت ۹ در شعبه‌ی ۱۲ دادگاه عمومی حقوقی تهران است.</p>",
        LetterCategory.SUMMONS,
        days_ago=3,
        legal_notice=True,
        key="ابلاغیه‌ی الکترونیکی پرونده‌ی",
    ),
    DemoLetter(
        TAX,
        CITIZEN,
        "درخواست مدارک تکمیلی برای بازپرداخت مالیات",
        "<p>برای بازپرداخت مالیات پرداختی مازاد، شماره‌ی شبای حسابی را که به نام خودتان "
        "است در پاسخ به همین نامه بنویسید. این سازمان هرگز رمز یا تصویر کارت بانکی شما "
        "را نمی‌خواهد.</p>",
        LetterCategory.GENERAL,
        days_ago=6,
        read=True,
        reply_allowed=True,
    ),
    DemoLetter(
        CITIZEN,
        TAX,
        "پاسخ: درخواست مدارک تکمیلی برای بازپرداخت مالیات",
        "<p>با سلام، شماره‌ی شبای حساب به نام اینجانب IR820540102680020817909002 است.</p>",
        days_ago=5,
        in_reply_to="درخواست مدارک تکمیلی برای بازپرداخت مالیات",
    ),
    DemoLetter(
        TAX,
        CITIZEN,
        "پاسخ سازمان: بازپرداخت مالیات در جریان است",
        "<p>مدارک شما رسید. مبلغ بازپرداخت ظرف ۱۵ روز کاری به حساب اعلام‌شده واریز می‌شود.</p>",
        LetterCategory.RESULT,
        days_ago=1,
        in_reply_to="پاسخ: درخواست مدارک تکمیلی برای بازپرداخت مالیات",
    ),
    DemoLetter(
        TAX,
        COMPANY,
        "نتیجه‌ی رسیدگی به اعتراض مالیاتی عملکرد {year_before}",
        "<p>مدیرعامل محترم شرکت نوآوران پارس، اعتراض شما به برگ تشخیص مالیات عملکرد "
        "{year_before} در هیئت حل اختلاف مالیاتی رسیدگی و پذیرفته شد.</p>",
        LetterCategory.RESULT,
        days_ago=8,
        read=True,
        key="نتیجه‌ی رسیدگی به اعتراض مالیاتی",
    ),
    DemoLetter(
        SOCIAL_SECURITY,
        COMPANY,
        "اطلاعیه‌ی مهلت ارسال فهرست بیمه‌ی کارکنان",
        "<p>فهرست بیمه‌ی کارکنان {last_month} را تا {due} در سامانه‌ی خدمات غیرحضوری بفرستید.</p>",
        LetterCategory.NOTICE,
        days_ago=2,
    ),
    DemoLetter(
        CITIZEN,
        TAX,
        "درخواست تقسیط بدهی مالیات بر درآمد عملکرد {last_year}",
        "<p>با سلام و احترام،</p><p>خواهشمند است بدهی مالیات بر درآمد عملکرد {last_year} "
        "اینجانب در دوازده قسط ماهانه تقسیط شود. تصویر فیش حقوقی سه ماه گذشته پیوست است.</p>",
        days_ago=11,
        read=True,
        pdf="fish-hoghoogh.pdf",
        pdf_note="Sample payslip, last three months",
        key="درخواست تقسیط بدهی مالیات بر درآمد",
    ),
    DemoLetter(
        TAX,
        CITIZEN,
        "موافقت با تقسیط بدهی مالیات بر درآمد عملکرد {last_year}",
        "<p>با درخواست شما برای تقسیط بدهی مالیات بر درآمد عملکرد {last_year} در دوازده قسط "
        "ماهانه موافقت شد. نخستین قسط تا {due_later} پرداختنی است و جدول اقساط در درگاه "
        "ملی خدمات مالیاتی آمده است.</p>",
        LetterCategory.RESULT,
        days_ago=8,
        in_reply_to="درخواست تقسیط بدهی مالیات بر درآمد",
        key="موافقت با تقسیط بدهی مالیات بر درآمد",
    ),
    DemoLetter(
        CITIZEN,
        SOCIAL_SECURITY,
        "درخواست گواهی سوابق بیمه‌ای برای ارائه به بانک",
        "<p>با سلام،</p><p>برای دریافت تسهیلات مسکن، گواهی سوابق بیمه‌ای اینجانب لازم است. "
        "خواهشمند است گواهی را به همین کارپوشه بفرستید.</p>",
        days_ago=0,
    ),
    DemoLetter(
        TAX,
        NOT_YET_REGISTERED,
        "اطلاعیه‌ی ثبت‌نام در سامانه‌ی مؤدیان",
        "<p>ثبت‌نام در سامانه‌ی مؤدیان برای همه‌ی صاحبان کسب‌وکار الزامی است.</p>",
        LetterCategory.NOTICE,
        days_ago=4,
    ),
)


def _agency(name: str, accepts_letters: bool) -> Mailbox:
    mailbox, _created = Mailbox.objects.get_or_create(
        kind=MailboxKind.AGENCY,
        display_name=name,
        defaults={"accepts_letters": accepts_letters},
    )
    return mailbox


def _demo_pdf(name: str, note: str) -> SimpleUploadedFile:
    pdf = tiny_pdf(["Payam - demo attachment", name, note])
    return SimpleUploadedFile(name, pdf, content_type="application/pdf")


def _send(demo: DemoLetter, *, admin: User, agencies: dict[str, Mailbox], now: datetime) -> None:
    sender = agencies.get(demo.sender)
    citizen = User.objects.get(username=CITIZEN)
    actor = admin
    if sender is None:
        sender, actor = mailbox_for_user(user=citizen), citizen
    # Subjects are stored normalized (digits in ASCII, shown in Persian); a letter
    # seeded on an earlier day has other dates in its subject, the same start.
    if Letter.objects.filter(sender=sender, subject__startswith=demo.known_by).exists():
        return
    recipient: str | Mailbox = agencies.get(demo.to) or demo.to
    in_reply_to = (
        Letter.objects.filter(subject__startswith=normalize_text(demo.in_reply_to))
        .order_by("pk")
        .first()
        if demo.in_reply_to
        else None
    )
    subject, body = demo.written(now)
    letter = letter_send(
        actor=actor,
        sender=sender,
        recipients=[recipient],
        subject=subject,
        body=body,
        attachments=[_demo_pdf(demo.pdf, demo.pdf_note)] if demo.pdf else [],
        category=demo.category,
        reply_allowed=demo.reply_allowed,
        is_legal_notice=demo.legal_notice,
        in_reply_to=in_reply_to,
    )
    when = demo.sent_at(now)
    Letter.objects.filter(pk=letter.pk).update(created_at=when, sent_at=when)
    Delivery.objects.filter(letter=letter).update(delivered_at=when)
    if demo.read:
        for delivery in Delivery.objects.filter(letter=letter).select_related(
            "recipient", "letter"
        ):
            owner = delivery.recipient.owner
            if owner is not None:
                delivery_mark_read(actor=owner, delivery=delivery)
            elif delivery.recipient.kind == MailboxKind.AGENCY:
                # Agency staff read on their desk (the agencies app, which the demo
                # has no staff account of yet): stamp the receipt they would leave,
                # three hours after the letter arrived.
                Delivery.objects.filter(pk=delivery.pk, first_read_at__isnull=True).update(
                    first_read_at=when + timedelta(hours=3), first_read_by=ReaderRole.OWNER
                )


def _company_proxy() -> None:
    """مریم احمدی, the company's CEO, reads and answers its letters as its proxy
    (README, "Demo logins"): named by the company and accepted by her, through
    the same services as in the inbox. Seeding again leaves a live grant alone,
    accepts one still pending, and names her again once the last one ended."""
    company = User.objects.get(username=COMPANY)
    maryam = User.objects.get(username=COMPANY_PROXY)
    mailbox = mailbox_for_user(user=company)
    grant = (
        ProxyGrant.objects.filter(
            mailbox=mailbox,
            proxy=maryam,
            status__in=[ProxyStatus.PENDING, ProxyStatus.ACTIVE],
            expires_at__gt=timezone.now(),
        )
        .order_by("-pk")
        .first()
    )
    if grant is None:
        grant = proxy_grant(
            actor=company,
            national_code=maryam.username,
            mobile=maryam.naturalperson.mobile,  # what the company knows of her
            scope=ProxyScope.READ_REPLY,
            expires_on=timezone.localdate() + timedelta(days=COMPANY_PROXY_DAYS),
        )
    if grant.status == ProxyStatus.PENDING:
        proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.ACTIVE)


def _ussd_option() -> None:
    """Offer "unread letters" as option 3 of the demo USSD service *4*1#."""
    root = UssdNode.objects.filter(service__code=DEMO_CODE, parent__isnull=True).first()
    if root is None:
        return
    UssdNode.objects.get_or_create(
        service=root.service,
        parent=root,
        key=3,
        defaults={"title": "نامه‌های خوانده‌نشده", "action": UssdAction.UNREAD_COUNT},
    )


@transaction.atomic
def seed() -> list[DemoLogin]:
    admin = User.objects.get(username="admin")
    agencies = {name: _agency(name, accepts) for name, accepts in DEMO_AGENCIES}
    for username in (CITIZEN, COMPANY):
        mailbox_for_user(user=User.objects.get(username=username))
    now = timezone.now()
    for demo in DEMO_LETTERS:
        _send(demo, admin=admin, agencies=agencies, now=now)
    _company_proxy()
    _ussd_option()
    return []
