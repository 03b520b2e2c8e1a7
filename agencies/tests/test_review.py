"""/review/…: the ITO expert's desk and the review of agency registrations."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import AliFactory, SuperuserFactory
from agencies.constants import ApplicationStatus, Province
from agencies.models import Agency, AgencyApplication
from mailbox.constants import MailboxKind
from mailbox.models import Mailbox
from payam.models import AuditEvent
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS, SenderNumber
from sms.tests.factories import SenderNumberFactory

from .factories import AgencyFactory, ApplicationFactory, agency_admin, expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara():
    return expert("ito.sara")


@pytest.fixture
def desk(sara):
    client = Client()
    sign_in_with_second_factor(client, sara)
    return client


def url(name, application=None):
    if application is None:
        return reverse(f"review:{name}")
    return reverse(f"review:{name}", args=[application.tracking_code])


def test_review_pages_are_404_to_everyone_else(client):
    application = ApplicationFactory()
    ali = AliFactory()
    admin = agency_admin(AgencyFactory())
    for user in (None, ali, admin):
        other = Client()
        if user is not None:
            sign_in_with_second_factor(other, user)
        for path in (url("desk"), url("agencies"), url("agency", application)):
            assert other.get(path).status_code == 404, (user, path)
        response = other.post(url("agency_approve", application), {"sender_number": "4040999"})
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING and application.agency is None


def test_the_desk_shows_the_queues_mine_and_the_oldest(desk, sara):
    old = ApplicationFactory(submitted_at=timezone.now() - timedelta(days=9), name="قدیمی")
    ApplicationFactory(name="تازه")
    ApplicationFactory(status=ApplicationStatus.RETURNED, assigned_to=sara, name="مال من")
    ApplicationFactory(status=ApplicationStatus.DRAFT, name="پیش‌نویس")
    page = desk.get(url("desk")).content.decode()
    assert "مال من" in page and "قدیمی" in page and "پیش‌نویس" not in page
    assert page.index("قدیمی") < page.index("تازه")
    assert old.tracking_code in page


def test_the_expert_lands_on_the_desk():
    from accounts.landing import landing_url

    assert landing_url(expert()) == "/review/"


def test_the_queue_filters_by_status_province_age_and_assignment(desk, sara):
    ApplicationFactory(name="دستگاه‌الف", province=Province.TEHRAN)
    ApplicationFactory(
        name="دستگاه‌ب", province=Province.FARS, submitted_at=timezone.now() - timedelta(days=10)
    )
    ApplicationFactory(name="دستگاه‌ج", status=ApplicationStatus.REJECTED)
    ApplicationFactory(name="دستگاه‌د", assigned_to=sara)

    def names(**query):
        page = desk.get(url("agencies"), query).content.decode()
        return {n for n in ("دستگاه‌الف", "دستگاه‌ب", "دستگاه‌ج", "دستگاه‌د") if n in page}

    assert names() == {"دستگاه‌الف", "دستگاه‌ب", "دستگاه‌د"}  # pending by default
    assert names(status="rejected") == {"دستگاه‌ج"}
    assert names(status="pending", province="tehran") == {"دستگاه‌الف"}
    assert names(status="pending", older_than="7") == {"دستگاه‌ب"}
    assert names(status="pending", assigned="me") == {"دستگاه‌د"}
    assert names(status="", assigned="none") == {"دستگاه‌الف", "دستگاه‌ب", "دستگاه‌ج"}


def test_an_application_is_assigned_to_an_expert(desk, sara):
    colleague = expert("ito.reza")
    application = ApplicationFactory()
    desk.post(url("agency_assign", application), {"expert": colleague.pk})
    application.refresh_from_db()
    assert application.assigned_to == colleague
    assert AuditEvent.objects.filter(action="agency_application.assign", actor=sara).exists()
    not_expert = AliFactory()
    response = desk.post(url("agency_assign", application), {"expert": not_expert.pk})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.assigned_to == colleague


def test_the_detail_shows_every_field_and_the_inquiry_answers(desk):
    application = ApplicationFactory(civil_identity={"first_name": "زهرا", "father_name": "مهدی"})
    page = desk.get(url("agency", application)).content.decode()
    for text in (application.name, "مدیر فناوری اطلاعات", "z.hosseini@sample.gov.ir", "مهدی"):
        assert text in page
    assert "شماره‌ی همراه به نام نماینده است" in page


def last_sms_to(mobile):
    return OutboundSMS.objects.filter(recipient=mobile).order_by("pk")


def test_approval_creates_the_agency_its_mailbox_sender_and_admin(desk, sara):
    application = ApplicationFactory()
    response = desk.post(
        url("agency_approve", application), {"sender_number": "۴۰۴۰۷۸۹", "mask": "ISIRI"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    agency = application.agency
    assert application.status == ApplicationStatus.APPROVED and agency is not None
    assert agency.national_id == application.national_id
    assert agency.mailbox.kind == MailboxKind.AGENCY and agency.mailbox.accepts_letters
    assert agency.sender.number == "4040789" and agency.sender.mask == "ISIRI"
    admin = User.objects.get(username="ag0045678911")
    assert admin.must_change_password
    assert RoleGrant.objects.filter(
        user=admin, role=Role.AGENCY_ADMIN, organization_id=agency.pk, revoked_at__isnull=True
    ).exists()
    bodies = [sms.body for sms in last_sms_to(application.rep_mobile)]
    assert any("ag0045678911" in body for body in bodies)  # the credentials
    assert any("تأیید شد" in body and "4040789" in body for body in bodies)
    change = application.changes.get(to_status=ApplicationStatus.APPROVED)
    assert change.actor == sara
    for action in ("agency.create", "agency_application.approved", "sms.sender_register"):
        assert AuditEvent.objects.filter(action=action, actor=sara).exists(), action


def test_the_new_admin_changes_the_password_and_sets_up_two_factor_first(desk):
    application = ApplicationFactory()
    desk.post(url("agency_approve", application), {"sender_number": "4040789"})
    body = next(s.body for s in last_sms_to(application.rep_mobile) if "گذرواژه‌ی موقت:" in s.body)
    found = re.search(r"گذرواژه‌ی موقت: (\S+)", body)
    assert found is not None
    password = found.group(1)
    admin = Client()
    admin.post("/accounts/login/", {"login": "ag0045678911", "password": password} | CAPTCHA)
    assert admin.get("/agency/")["Location"] == reverse("account_change_password")
    new = "Ab-Anbar-Qazvin-77"
    admin.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": new, "password2": new},
    )
    assert admin.get("/agency/")["Location"] == reverse("mfa_activate_totp")


def test_a_sender_number_already_taken_leaves_nothing_behind(desk):
    SenderNumberFactory(number="4040789")
    application = ApplicationFactory()
    mailboxes, users, senders = (
        Mailbox.objects.count(),
        User.objects.count(),
        SenderNumber.objects.count(),
    )
    response = desk.post(url("agency_approve", application), {"sender_number": "4040789"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_sender_number_error"' in page and "پیش‌تر" in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert not Agency.objects.exists()
    assert (Mailbox.objects.count(), User.objects.count(), SenderNumber.objects.count()) == (
        mailboxes,
        users,
        senders,
    )


def test_a_sender_outside_4040_is_refused(desk):
    application = ApplicationFactory()
    response = desk.post(url("agency_approve", application), {"sender_number": "3000123"})
    assert response.status_code == 400 and "۴۰۴۰" in response.content.decode()
    assert not Agency.objects.exists()


def test_an_approved_application_is_not_decided_again(desk):
    application = ApplicationFactory()
    desk.post(url("agency_approve", application), {"sender_number": "4040789"})
    for name, data in (
        ("agency_approve", {"sender_number": "4040790"}),
        ("agency_reject", {"reason": "دیر"}),
        ("agency_return", {"deficiencies": "x"}),
    ):
        response = desk.post(url(name, application), data)
        assert response.status_code == 400, name
    assert Agency.objects.count() == 1
    assert not SenderNumber.objects.filter(number="4040790").exists()


def test_rejection_needs_a_reason_and_tells_the_representative(desk, sara):
    application = ApplicationFactory()
    empty = desk.post(url("agency_reject", application), {"reason": "  "})
    assert empty.status_code == 400
    desk.post(url("agency_reject", application), {"reason": "دستگاه اجرایی نیست."})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.changes.get(to_status="rejected").reason == "دستگاه اجرایی نیست."
    assert last_sms_to(application.rep_mobile).filter(body__contains="دستگاه اجرایی نیست.").exists()


def test_sending_back_lists_the_deficiencies(desk, sara):
    application = ApplicationFactory()
    assert (
        desk.post(url("agency_return", application), {"deficiencies": "\n \n"}).status_code == 400
    )
    desk.post(
        url("agency_return", application),
        {"deficiencies": "نشانی ناقص است.\n- نامه‌ی معرفی پیوست نیست.\nنشانی ناقص است."},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED
    assert application.deficiencies == ["نشانی ناقص است.", "نامه‌ی معرفی پیوست نیست."]
    assert last_sms_to(application.rep_mobile).filter(body__contains="رفع نقص").exists()
    page = desk.get(url("agency", application)).content.decode()
    assert "نامه‌ی معرفی پیوست نیست." in page and sara.display_name in page


def test_a_second_agency_for_the_same_national_id_cannot_be_approved(desk):
    agency = AgencyFactory()
    application = ApplicationFactory(national_id=agency.national_id)
    response = desk.post(url("agency_approve", application), {"sender_number": "4040789"})
    assert response.status_code == 400
    assert Agency.objects.count() == 1


def test_a_superuser_without_the_expert_role_does_not_see_the_queue():
    client = Client()
    sign_in_with_second_factor(client, SuperuserFactory())
    assert client.get(url("agencies")).status_code == 404
    assert AgencyApplication.objects.count() == 0


def test_the_desk_and_the_queue_read_a_bounded_number_of_queries(
    desk, sara, django_assert_max_num_queries
):
    for n in range(3):
        ApplicationFactory(assigned_to=sara if n % 2 else None)
    desk.get(url("agencies"))  # warm the session and the content types
    with django_assert_max_num_queries(20):
        desk.get(url("desk"))
    with django_assert_max_num_queries(20):
        desk.get(url("agencies"))
    for _ in range(20):
        ApplicationFactory(assigned_to=sara)
    with django_assert_max_num_queries(20):
        desk.get(url("desk"))
    with django_assert_max_num_queries(20):
        desk.get(url("agencies"))


def test_the_expert_sets_an_approved_agencys_api_limit_audited(desk, sara):
    application = ApplicationFactory()
    page = desk.get(url("agency", application)).content.decode()
    assert url("agency_api_limit", application) not in page  # no agency yet
    assert desk.post(url("agency_api_limit", application), {"per_minute": "10"}).status_code == 404
    desk.post(url("agency_approve", application), {"sender_number": "4040791"})
    assert (
        url("agency_api_limit", application)
        in desk.get(url("agency", application)).content.decode()
    )
    bad = desk.post(url("agency_api_limit", application), {"per_minute": "0"})
    assert bad.status_code == 400
    desk.post(url("agency_api_limit", application), {"per_minute": "120"})
    agency = Agency.objects.get()
    assert agency.api_requests_per_minute == 120
    event = AuditEvent.objects.get(action="agency.api_limit_set")
    assert event.actor_id == sara.pk and event.data == {"from": None, "to": 120}
    desk.post(url("agency_api_limit", application), {"per_minute": ""})
    agency.refresh_from_db()
    assert agency.api_requests_per_minute is None


def test_only_an_expert_sets_the_api_limit():
    from django.core.exceptions import PermissionDenied

    from agencies.services import agency_set_api_limit

    agency = AgencyFactory()
    with pytest.raises(PermissionDenied):
        agency_set_api_limit(actor=agency_admin(agency), agency=agency, per_minute=1)
