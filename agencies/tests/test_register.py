"""/agencies/register/: the representative's journey, the rules on the way, the
status lookup and the fixes after a return, with the fake registries
(docs/demo-identities.md) and the console SMS gateway."""

from datetime import timedelta

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.tests.factories import legal_id
from accounts.tests.helpers import last_code
from agencies.constants import ApplicationStatus
from agencies.models import AgencyApplication, ApplicationChange
from agencies.services import application_return
from payam.models import AuditEvent
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS

from .factories import AgencyFactory, ApplicationFactory, expert

pytestmark = pytest.mark.django_db

START = reverse("agencies:register")
REP = reverse("agencies:register_representative")
TERMS = reverse("agencies:register_terms")
VERIFY = reverse("agencies:register_verify")
DONE = reverse("agencies:register_done")
STATUS = reverse("agencies:register_status")
FIX = reverse("agencies:register_fix")
FIX_VERIFY = reverse("agencies:register_fix_verify")
FIX_EDIT = reverse("agencies:register_fix_edit")

NATIONAL_ID = legal_id(900)
AGENCY = {
    "name": "سازمان ملی استاندارد",
    "kind": "organization",
    "parent_body": "ریاست جمهوری",
    "national_id": NATIONAL_ID,
    "province": "alborz",
    "city": "کرج",
    "address": "کرج، میدان استاندارد",
    "phone": "026-3280-3870",
    "website": "isiri.gov.ir",
    "email_domain": "@ISIRI.gov.ir",
}
ZAHRA = {
    "national_code": "0045678911",
    "birth_date_day": "9",
    "birth_date_month": "3",
    "birth_date_year": "1358",
    "first_name": "زهرا",
    "last_name": "حسینی",
    "position": "مدیر فناوری اطلاعات",
    "mobile": "09364567890",
    "email": "z.hosseini@isiri.gov.ir",
}


def to_terms(client, agency=None, rep=None):
    assert client.post(START, AGENCY | (agency or {}))["Location"] == REP
    response = client.post(REP, ZAHRA | (rep or {}))
    assert response.status_code == 302, response.content.decode()
    return response


def file(client):
    to_terms(client)
    response = client.post(TERMS, {"accept": "on"} | CAPTCHA)
    assert response["Location"] == VERIFY, response.content.decode()
    response = client.post(VERIFY, {"code": last_code()} | CAPTCHA)
    assert response["Location"] == DONE
    return AgencyApplication.objects.get(national_id=NATIONAL_ID)


def test_an_agency_registers_end_to_end(client):
    application = file(client)

    page = client.get(DONE).content.decode()
    assert application.tracking_code in page
    assert "در صورت تأیید با شما تماس گرفته خواهد شد" in page
    assert application.status == ApplicationStatus.PENDING
    assert application.email_domain == "isiri.gov.ir"
    assert application.phone == "02632803870"
    assert application.website == "https://isiri.gov.ir"
    assert application.shahkar_matched and application.civil_identity["father_name"] == "مهدی"
    assert [c.to_status for c in application.changes.all()] == ["pending"]
    assert OutboundSMS.objects.filter(
        recipient="+989364567890", body__contains=application.tracking_code
    ).exists()
    assert AuditEvent.objects.filter(action="agency_application.pending").exists()


def test_nothing_typed_is_lost_going_back_and_forth(client):
    to_terms(client)
    assert "سازمان ملی استاندارد" in client.get(START).content.decode()
    page = client.get(REP).content.decode()
    assert "z.hosseini@isiri.gov.ir" in page and "مدیر فناوری اطلاعات" in page


def test_a_wrong_checksum_is_refused_next_to_the_field(client):
    response = client.post(START, AGENCY | {"national_id": NATIONAL_ID[:-1] + "0"})
    if NATIONAL_ID.endswith("0"):
        response = client.post(START, AGENCY | {"national_id": NATIONAL_ID[:-1] + "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_national_id_error"' in page and "شناسه‌ی ملی معتبر نیست" in page
    assert "سازمان ملی استاندارد" in page  # kept


def test_a_second_attempt_for_the_same_national_id_is_told_where_the_first_stands(client):
    first = ApplicationFactory(national_id=NATIONAL_ID)
    page = client.post(START, AGENCY).content.decode()
    assert "در انتظار بررسی" in page and first.tracking_code not in page

    AgencyFactory(national_id=legal_id(901))
    page = client.post(START, AGENCY | {"national_id": legal_id(901)}).content.decode()
    assert "پیش‌تر در پیام ایران ثبت شده" in page


def test_an_email_outside_the_agencys_domain_is_refused(client):
    client.post(START, AGENCY)
    response = client.post(REP, ZAHRA | {"email": "zahra@gmail.com"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in page and "isiri.gov.ir" in page
    assert "مدیر فناوری اطلاعات" in page


def test_a_representative_the_civil_registry_does_not_confirm_is_refused(client):
    to_terms(client, rep={"first_name": "زهره"})
    page = client.post(TERMS, {"accept": "on"} | CAPTCHA).content.decode()
    assert "ثبت احوال هم‌خوانی ندارد" in page
    assert not AgencyApplication.objects.exists()


def test_a_mobile_that_is_not_the_representatives_is_refused(client):
    to_terms(client, rep={"mobile": "09121234567"})  # علی رضایی's line
    response = client.post(TERMS, {"accept": "on"} | CAPTCHA)
    assert response["Location"] == REP
    assert "شاهکار" in client.get(REP).content.decode()
    assert not AgencyApplication.objects.exists()


def test_terms_and_captcha_are_required(client):
    to_terms(client)
    page = client.post(TERMS, {"captcha_0": "x", "captcha_1": ""}).content.decode()
    assert "پذیرش قوانین" in page and "کد امنیتی" in page
    assert not AgencyApplication.objects.exists()


def test_an_expired_code_does_not_file_the_application(client):
    to_terms(client)
    client.post(TERMS, {"accept": "on"} | CAPTCHA)
    code = last_code()
    with freeze_time(timedelta(minutes=10), tick=True):
        page = client.post(VERIFY, {"code": code} | CAPTCHA).content.decode()
    assert "id_code_error" in page
    assert AgencyApplication.objects.get().status == ApplicationStatus.DRAFT


def test_the_code_step_asks_the_captcha_again(client):
    to_terms(client)
    client.post(TERMS, {"accept": "on"} | CAPTCHA)
    page = client.post(VERIFY, {"code": last_code()}).content.decode()
    assert "کد امنیتی" in page
    assert AgencyApplication.objects.get().status == ApplicationStatus.DRAFT


def test_steps_cannot_be_skipped(client):
    assert client.get(REP)["Location"] == START
    assert client.get(TERMS)["Location"] == START
    assert client.get(VERIFY)["Location"] == START
    assert client.get(DONE)["Location"] == START


def test_status_lookup_needs_the_code_and_the_representatives_mobile(client):
    application = ApplicationFactory()
    wrong = client.post(
        STATUS, {"tracking_code": application.tracking_code, "mobile": "09121234567"}
    )
    assert "یافت نشد" in wrong.content.decode()
    right = client.post(
        STATUS,
        {"tracking_code": application.tracking_code.lower(), "mobile": "۰۹۳۶۴۵۶۷۸۹۰"},
    )
    page = right.content.decode()
    assert application.name in page and "در انتظار بررسی" in page


def test_status_lookups_are_rate_limited(client, settings):
    application = ApplicationFactory()
    data = {"tracking_code": application.tracking_code, "mobile": "09121234567"}
    statuses = [client.post(STATUS, data).status_code for _ in range(11)]
    assert statuses[-1] == 429 and statuses[0] == 200


def returned_application():
    application = ApplicationFactory(national_id=NATIONAL_ID)
    application_return(
        actor=expert(),
        application_id=application.pk,
        deficiencies=["نامه‌ی معرفی نماینده پیوست نشده است.", "نشانی ناقص است."],
    )
    application.refresh_from_db()
    return application


def test_a_returned_application_is_fixed_and_filed_again(client):
    application = returned_application()
    page = client.post(
        STATUS, {"tracking_code": application.tracking_code, "mobile": "09364567890"}
    ).content.decode()
    assert "نشانی ناقص است." in page and "بازگشت برای رفع نقص" in page

    assert client.post(FIX, CAPTCHA)["Location"] == FIX_VERIFY
    assert client.post(FIX_VERIFY, {"code": last_code()} | CAPTCHA)["Location"] == FIX_EDIT
    edit = client.get(FIX_EDIT).content.decode()
    assert "نامه‌ی معرفی نماینده" in edit  # the deficiencies, listed where they are fixed
    fields = {k: v for k, v in AGENCY.items() if k != "national_id"}
    response = client.post(
        FIX_EDIT,
        fields
        | {
            "address": "کرج، میدان استاندارد، ساختمان مرکزی",
            "rep_position": "مدیر کل فناوری اطلاعات",
            "rep_email": "z.hosseini@isiri.gov.ir",
            "note": "نشانی کامل شد.",
        },
    )
    assert response["Location"] == DONE
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert application.address.endswith("ساختمان مرکزی")
    assert application.deficiencies == []
    history = list(application.changes.values_list("to_status", flat=True))
    assert history == ["returned", "pending"]
    assert ApplicationChange.objects.filter(reason="نشانی کامل شد.").exists()


def test_an_application_cannot_be_edited_after_approval(client):
    application = returned_application()
    client.post(STATUS, {"tracking_code": application.tracking_code, "mobile": "09364567890"})
    client.post(FIX, CAPTCHA)
    client.post(FIX_VERIFY, {"code": last_code()} | CAPTCHA)
    # Meanwhile it moved on (filed again elsewhere, then approved).
    AgencyApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.APPROVED)
    fields = {k: v for k, v in AGENCY.items() if k != "national_id"}
    response = client.post(
        FIX_EDIT,
        fields | {"rep_position": "x", "rep_email": "a@isiri.gov.ir", "name": "نام دیگر"},
    )
    assert "دیگر اصلاح‌شدنی نیست" in response.content.decode()
    application.refresh_from_db()
    assert application.name != "نام دیگر" and application.status == ApplicationStatus.APPROVED


def test_a_fix_needs_a_returned_application_found_by_the_lookup(client):
    assert client.get(FIX)["Location"] == STATUS
    assert client.get(FIX_EDIT)["Location"] == STATUS
    pending = ApplicationFactory()
    client.post(STATUS, {"tracking_code": pending.tracking_code, "mobile": "09364567890"})
    assert client.get(FIX)["Location"] == STATUS


def test_the_fix_keeps_the_email_at_the_domain(client):
    application = returned_application()
    client.post(STATUS, {"tracking_code": application.tracking_code, "mobile": "09364567890"})
    client.post(FIX, CAPTCHA)
    client.post(FIX_VERIFY, {"code": last_code()} | CAPTCHA)
    fields = {k: v for k, v in AGENCY.items() if k != "national_id"}
    page = client.post(
        FIX_EDIT, fields | {"rep_position": "x", "rep_email": "z@gmail.com"}
    ).content.decode()
    assert 'id="id_rep_email_error"' in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED
