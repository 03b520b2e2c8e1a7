"""The profile pages: e-mail confirmed by a signed link, mobile changed through
Shahkar and a code to the new number, notification preferences, sessions and the
last 20 sign-ins. People and numbers are the fake registries' demo identities
(docs/demo-identities.md)."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts import services
from accounts.exceptions import (
    EmailLimitReached,
    EmailLinkExpired,
    EmailLinkInvalid,
    EmailLinkNotYours,
    EmailLinkUsed,
    EmailNotVerified,
    EmailUnchanged,
    MobileNotCeos,
    MobileNotOwned,
    OtpExpired,
    OtpInvalid,
    ProfileMissing,
    SameMobile,
)
from accounts.models import LegalPerson, LoginEvent, NaturalPerson, UserKind
from accounts.views_profile import MOBILE_SESSION_KEY
from payam.inquiry import InquiryUnavailable
from payam.models import AuditEvent
from sms.models import ConsoleMessage, OutboundSMS
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, scan

from .factories import AliFactory, MaryamFactory, NoavaranFactory, StaffFactory
from .helpers import last_code

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
EMAIL = reverse("accounts:profile_email")
MOBILE = reverse("accounts:profile_mobile")
MOBILE_VERIFY = reverse("accounts:profile_mobile_verify")
NOTIFICATIONS = reverse("accounts:profile_notifications")
LOGINS = reverse("accounts:profile_logins")

ALI_MOBILE = "+989121234567"  # علی رضایی's only line
MARYAM_MOBILE = "+989123456789"  # مریم احمدی's first line …
MARYAM_SECOND = "+989352345678"  # … and her second
OUTAGE = "+989129999999"  # Shahkar is down for this number


@pytest.fixture
def ali():
    return AliFactory()


@pytest.fixture
def maryam():
    return MaryamFactory()


@pytest.fixture
def company():
    return NoavaranFactory()


@pytest.fixture
def staff():
    return StaffFactory(username="ito.sara", first_name="سارا")


def _fresh(user):
    model = NaturalPerson if user.kind == UserKind.NATURAL else LegalPerson
    return model.objects.get(user=user)


def _link_path(message) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return urlsplit(found.group(0)).path


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _request_link(user, email, callbacks) -> str:
    with callbacks(execute=True):
        services.email_change_request(actor=user, email=email, site_url="https://payam.example.ir/")
    return _token(_link_path(mail.outbox[-1]))


# --- e-mail: services ----------------------------------------------------------------------


def test_email_request_sends_a_link_after_commit_and_changes_nothing(
    ali, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.email_change_request(
            actor=ali, email="Ali@Example.IR", site_url="https://payam.example.ir/"
        )
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ali@example.ir"]
    assert "https://payam.example.ir/accounts/profile/email/confirm/" in message.body
    assert "0012345679" not in message.body  # a typo'd address learns no national code
    profile = _fresh(ali)
    assert (profile.email, profile.email_verified_at) == ("", None)
    event = AuditEvent.objects.get(action="account.email_change_request")
    assert event.actor == ali and event.data == {"email": "A***@example.ir"}


def test_email_confirm_sets_the_verified_address_once(ali, django_capture_on_commit_callbacks):
    token = _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)
    services.email_confirm(actor=ali, token=token)
    profile = _fresh(ali)
    assert profile.email == "ali@example.ir" and profile.email_verified_at is not None
    assert AuditEvent.objects.filter(action="account.email_verify", actor=ali).count() == 1
    with pytest.raises(EmailLinkUsed):
        services.email_confirm(actor=ali, token=token)


def test_an_older_link_stops_working_once_a_newer_one_is_used(
    ali, django_capture_on_commit_callbacks
):
    first = _request_link(ali, "old@example.ir", django_capture_on_commit_callbacks)
    second = _request_link(ali, "new@example.ir", django_capture_on_commit_callbacks)
    services.email_confirm(actor=ali, token=second)
    with pytest.raises(EmailLinkUsed):
        services.email_confirm(actor=ali, token=first)
    assert _fresh(ali).email == "new@example.ir"


def test_an_expired_link_is_refused(ali, django_capture_on_commit_callbacks, settings):
    with freeze_time("2025-03-21 08:00:00"):
        token = _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)
    later = datetime(2025, 3, 21, 8, tzinfo=UTC) + timedelta(
        seconds=settings.EMAIL_VERIFY_MAX_AGE + 1
    )
    with freeze_time(later), pytest.raises(EmailLinkExpired) as caught:
        services.email_confirm(actor=ali, token=token)
    assert "مهلت" in str(caught.value)
    assert _fresh(ali).email == ""


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("aa" if not token.endswith("aa") else "bb"),
        lambda token: "not-a-token",
        lambda token: signing.dumps({"user": 1, "email": "x@example.ir", "state": "0"}),
    ],
    ids=["tampered", "garbage", "other-salt"],
)
def test_a_forged_link_is_refused(ali, django_capture_on_commit_callbacks, forge):
    token = _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)
    with pytest.raises(EmailLinkInvalid) as caught:
        services.email_confirm(actor=ali, token=forge(token))
    assert "معتبر نیست" in str(caught.value)
    assert _fresh(ali).email == ""


def test_someone_elses_link_is_refused(ali, maryam, django_capture_on_commit_callbacks):
    token = _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)
    with pytest.raises(EmailLinkNotYours):
        services.email_confirm(actor=maryam, token=token)
    assert _fresh(maryam).email == "" and _fresh(ali).email == ""


def test_the_verified_address_again_is_refused_an_unverified_one_is_sent(
    ali, django_capture_on_commit_callbacks
):
    NaturalPerson.objects.filter(user=ali).update(email="ali@example.ir")
    _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)  # unverified: ok
    NaturalPerson.objects.filter(user=ali).update(email_verified_at=timezone.now())
    with pytest.raises(EmailUnchanged):
        services.email_change_request(actor=ali, email="ALI@example.ir", site_url="https://x.ir")


def test_confirmation_links_are_rate_limited(ali, django_capture_on_commit_callbacks):
    for n in range(5):
        _request_link(ali, f"ali{n}@example.ir", django_capture_on_commit_callbacks)
    with pytest.raises(EmailLimitReached) as caught:
        services.email_change_request(actor=ali, email="ali9@example.ir", site_url="https://x.ir")
    assert "دقیقه" in str(caught.value)


# --- mobile: services --------------------------------------------------------------------------


def test_mobile_change_sends_the_code_to_the_new_number(maryam):
    services.mobile_change_start(actor=maryam, mobile="09352345678", ip="10.0.0.1")
    code = last_code()
    assert ConsoleMessage.objects.latest("pk").recipient == MARYAM_SECOND
    services.mobile_change_verify(actor=maryam, mobile="09352345678", code=code)
    assert _fresh(maryam).mobile == MARYAM_SECOND
    event = AuditEvent.objects.get(action="account.mobile_change")
    assert event.data == {"from": "0912***6789", "to": "0935***5678"}
    notice = OutboundSMS.objects.get(kind="notification")
    assert notice.recipient == MARYAM_MOBILE  # the OLD number is told
    assert "0935***5678" in notice.body


def test_a_company_mobile_must_be_its_ceos(company):
    with pytest.raises(MobileNotCeos) as caught:
        services.mobile_change_start(actor=company, mobile=ALI_MOBILE, ip=None)
    assert "مدیرعامل" in str(caught.value)
    services.mobile_change_start(actor=company, mobile=MARYAM_SECOND, ip=None)
    services.mobile_change_verify(actor=company, mobile=MARYAM_SECOND, code=last_code())
    assert LegalPerson.objects.get(user=company).mobile == MARYAM_SECOND


def test_a_number_in_someone_elses_name_is_refused(ali):
    with pytest.raises(MobileNotOwned):
        services.mobile_change_start(actor=ali, mobile=MARYAM_SECOND, ip=None)
    assert not ConsoleMessage.objects.exists() and not OutboundSMS.objects.exists()


def test_the_same_number_is_refused(ali):
    with pytest.raises(SameMobile):
        services.mobile_change_start(actor=ali, mobile="۰۹۱۲۱۲۳۴۵۶۷", ip=None)


def test_shahkar_outage_sends_no_code(ali):
    with pytest.raises(InquiryUnavailable):
        services.mobile_change_start(actor=ali, mobile=OUTAGE, ip=None)
    assert not OutboundSMS.objects.exists()


def test_a_wrong_code_changes_nothing(maryam):
    services.mobile_change_start(actor=maryam, mobile=MARYAM_SECOND, ip=None)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(OtpInvalid):
        services.mobile_change_verify(actor=maryam, mobile=MARYAM_SECOND, code=wrong)
    assert _fresh(maryam).mobile == MARYAM_MOBILE
    assert not OutboundSMS.objects.filter(kind="notification").exists()


def test_an_expired_code_changes_nothing(maryam):
    with freeze_time("2025-03-21 08:00:00"):
        services.mobile_change_start(actor=maryam, mobile=MARYAM_SECOND, ip=None)
        code = last_code()
    with freeze_time("2025-03-21 08:02:01"), pytest.raises(OtpExpired):
        services.mobile_change_verify(actor=maryam, mobile=MARYAM_SECOND, code=code)
    assert _fresh(maryam).mobile == MARYAM_MOBILE


def test_a_code_for_a_number_not_in_the_users_name_is_useless(ali, maryam):
    """The code proves the SIM; Shahkar must still say the line is the user's."""
    services.mobile_change_start(actor=maryam, mobile=MARYAM_SECOND, ip=None)
    with pytest.raises(MobileNotOwned):
        services.mobile_change_verify(actor=ali, mobile=MARYAM_SECOND, code=last_code())
    assert _fresh(ali).mobile == ALI_MOBILE


# --- notification preferences: services ------------------------------------------------------


def test_email_notifications_need_a_verified_email(ali):
    NaturalPerson.objects.filter(user=ali).update(email="ali@example.ir")
    with pytest.raises(EmailNotVerified) as caught:
        services.notification_preferences_update(actor=ali, by_sms=True, by_email=True)
    assert "تأیید" in str(caught.value)
    assert _fresh(ali).notify_by_email is False


def test_preferences_are_saved_and_audited_once(ali):
    NaturalPerson.objects.filter(user=ali).update(
        email="ali@example.ir", email_verified_at=timezone.now()
    )
    services.notification_preferences_update(actor=ali, by_sms=False, by_email=True)
    services.notification_preferences_update(actor=ali, by_sms=False, by_email=True)  # no-op
    profile = _fresh(ali)
    assert (profile.notify_by_sms, profile.notify_by_email) == (False, True)
    event = AuditEvent.objects.get(action="account.notifications_update")
    assert event.data == {
        "from": {"sms": True, "email": False},
        "to": {"sms": False, "email": True},
    }


def test_staff_have_no_profile_to_change(staff):
    with pytest.raises(ProfileMissing):
        services.notification_preferences_update(actor=staff, by_sms=True, by_email=False)
    with pytest.raises(ProfileMissing):
        services.mobile_change_start(actor=staff, mobile=ALI_MOBILE, ip=None)


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        PROFILE,
        LOGINS,
        MOBILE_VERIFY,
        reverse("accounts:profile_email_confirm", kwargs={"token": "x"}),
        reverse("usersessions_list"),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [EMAIL, MOBILE, NOTIFICATIONS])
def test_anonymous_posts_change_nothing(client, ali, url):
    response = client.post(url, {"email": "x@example.ir", "mobile": "09352345678"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert _fresh(ali).email == ""


def test_the_profile_page_shows_the_account_in_persian(client, ali):
    client.force_login(ali)
    response = client.get(PROFILE)
    assert response.status_code == 200
    page = scan(response)
    assert_nothing_inline(page)
    assert_only_local_urls(page)
    html = response.content.decode()
    for text in ("حساب کاربری", "۰۰۱۲۳۴۵۶۷۹", "۰۹۱۲۱۲۳۴۵۶۷", "رایانامه", "آگاه‌سازی"):
        assert text in html
    for name in ("account_change_password", "mfa_index", "usersessions_list"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{LOGINS}"' in html
    assert f'action="{EMAIL}#email"' in html


def test_the_header_links_the_profile_and_old_email_page_redirects(client, ali):
    client.force_login(ali)
    assert f'href="{PROFILE}"' in client.get("/").content.decode()
    assert client.get("/accounts/email/")["Location"] == PROFILE


def test_staff_see_only_the_account_part(client, staff):
    client.force_login(staff)
    html = client.get(PROFILE).content.decode()
    assert "ito.sara" in html and f'href="{reverse("mfa_index")}"' in html
    assert 'name="email"' not in html and 'name="mobile"' not in html
    assert client.post(EMAIL, {"email": "s@example.ir"}).status_code == 404
    assert client.get(MOBILE_VERIFY).status_code == 404


def test_email_journey_through_the_pages(client, ali, django_capture_on_commit_callbacks):
    client.force_login(ali)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EMAIL, {"email": "ali@example.ir"}, follow=True)
    assert "پیوند تأیید" in response.content.decode()
    path = _link_path(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200 and "ali@example.ir" in page.content.decode()
    assert _fresh(ali).email == ""  # opening the link alone changes nothing
    response = client.post(path)
    assert response["Location"] == PROFILE
    assert _fresh(ali).email_verified_at is not None
    assert "تأییدشده" in client.get(PROFILE).content.decode()


def test_an_invalid_email_keeps_what_was_typed(client, ali):
    client.force_login(ali)
    response = client.post(EMAIL, {"email": "ali@@example"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="ali@@example"' in html and "is-invalid" in html


def test_someone_elses_link_page_says_so(client, ali, maryam, django_capture_on_commit_callbacks):
    token = _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)
    client.force_login(maryam)
    url = reverse("accounts:profile_email_confirm", kwargs={"token": token})
    response = client.post(url)
    assert response.status_code == 400
    assert "حساب دیگری" in response.content.decode()
    assert _fresh(maryam).email == ""


def test_an_expired_or_forged_link_page_says_so(client, ali, django_capture_on_commit_callbacks):
    with freeze_time("2025-03-21 08:00:00"):
        token = _request_link(ali, "ali@example.ir", django_capture_on_commit_callbacks)
    client.force_login(ali)
    url = reverse("accounts:profile_email_confirm", kwargs={"token": token})
    with freeze_time("2025-03-23 08:00:00"):
        response = client.get(url)
    assert response.status_code == 400 and "مهلت" in response.content.decode()
    forged = reverse("accounts:profile_email_confirm", kwargs={"token": token + "x"})
    response = client.post(forged)
    assert response.status_code == 400 and "معتبر نیست" in response.content.decode()


def test_mobile_journey_through_the_pages(client, maryam):
    client.force_login(maryam)
    response = client.post(MOBILE, {"mobile": "۰۹۳۵ ۲۳۴ ۵۶۷۸"})
    assert response["Location"] == MOBILE_VERIFY
    page = client.get(MOBILE_VERIFY).content.decode()
    assert "۰۹۳۵۲۳۴۵۶۷۸" in page
    assert "مراحل ثبت‌نام" not in page  # not a registration step
    assert "کد تأیید به شماره‌ی" in client.get(PROFILE).content.decode()  # "enter the code"
    response = client.post(MOBILE_VERIFY, {"code": "000000"})
    assert "درست نیست" in response.content.decode()
    response = client.post(MOBILE_VERIFY, {"code": last_code()})
    assert response["Location"] == PROFILE
    assert _fresh(maryam).mobile == MARYAM_SECOND
    assert "۰۹۳۵۲۳۴۵۶۷۸" in client.get(PROFILE).content.decode()
    assert client.get(MOBILE_VERIFY)["Location"] == PROFILE  # nothing pending any more


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("09352345678", "به نام شما ثبت نشده"),
        ("09129999999", "در دسترس نیست"),
        ("09121234567", "همان شماره"),
        ("0912", "معتبر نیست"),
    ],
    ids=["not-holders", "outage", "same", "malformed"],
)
def test_mobile_refusals_keep_what_was_typed(client, ali, typed, text):
    client.force_login(ali)
    response = client.post(MOBILE, {"mobile": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert text in html and f'value="{typed}"' in html
    assert _fresh(ali).mobile == ALI_MOBILE


def test_mobile_change_can_be_cancelled(client, maryam):
    client.force_login(maryam)
    client.post(MOBILE, {"mobile": MARYAM_SECOND})
    response = client.post(MOBILE_VERIFY, {"cancel": "1"})
    assert response["Location"] == PROFILE
    assert client.get(MOBILE_VERIFY)["Location"] == PROFILE
    assert _fresh(maryam).mobile == MARYAM_MOBILE


def test_a_pending_change_is_only_its_starters(client, ali, maryam):
    client.force_login(ali)
    assert client.get(MOBILE_VERIFY)["Location"] == PROFILE  # nothing started
    session = client.session
    session[MOBILE_SESSION_KEY] = {
        "user": maryam.pk,
        "mobile": MARYAM_SECOND,
        "started_at": timezone.now().isoformat(),
    }
    session.save()
    assert client.get(MOBILE_VERIFY)["Location"] == PROFILE
    assert "۰۹۳۵۲۳۴۵۶۷۸" not in client.get(PROFILE).content.decode()


def test_notification_preferences_page(client, ali):
    client.force_login(ali)
    response = client.post(NOTIFICATIONS, {"by_email": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and "نخست رایانامه" in html
    assert re.search(r'<input[^>]*name="by_email"[^>]*checked', html)  # kept as ticked
    assert not re.search(r'<input[^>]*name="by_sms"[^>]*checked', html)
    NaturalPerson.objects.filter(user=ali).update(
        email="ali@example.ir", email_verified_at=timezone.now()
    )
    response = client.post(NOTIFICATIONS, {"by_sms": "on", "by_email": "on"})
    assert response["Location"] == PROFILE
    assert _fresh(ali).notify_by_email is True


def test_logins_page_shows_the_20_newest_of_the_owner_only(
    client, ali, maryam, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=30)
    LoginEvent.objects.bulk_create(
        LoginEvent(
            user=ali,
            at=start + timedelta(hours=n),
            ip=f"10.0.0.{n}",
            user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Firefox/140.0",
        )
        for n in range(25)
    )
    LoginEvent.objects.create(user=maryam, ip="192.168.9.9")
    client.force_login(ali)  # the 26th of Ali's sign-ins, recorded by the signal
    client.get(PROFILE)  # the first request also records the session
    # Middleware (session, user, the sessions' last-seen stamp, roles for the header)
    # and one query for the sign-ins, however many there are.
    with django_assert_max_num_queries(9):
        response = client.get(LOGINS)
    page = scan(response)
    assert_nothing_inline(page)
    html = response.content.decode()
    assert html.count('data-testid="login-event"') == 20
    assert "Firefox 140 · Windows" in html
    # IP addresses in Latin digits, as everywhere (payam_format.ip_address).
    assert ">10.0.0.24<" in html and ">10.0.0.6<" in html  # newest 20 (and the signal's one)…
    assert ">10.0.0.5<" not in html  # …not the older ones
    assert "192.168.9.9" not in html  # never someone else's


def test_sessions_page_is_reachable_in_persian(client, ali):
    client.force_login(ali)
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 200
    page = scan(response)
    assert_nothing_inline(page)
    html = response.content.decode()
    assert "نشست‌های باز" in html and f'href="{PROFILE}"' in html


def test_the_person_sets_their_province_on_the_profile_page_audited(client, ali):
    client.force_login(ali)
    page = client.get(PROFILE).content.decode()
    assert 'id="province-title"' in page and 'name="province"' in page
    refused = client.post(reverse("accounts:profile_province"), {"province": "atlantis"})
    assert refused.status_code == 200 and _fresh(ali).province == ""
    saved = client.post(reverse("accounts:profile_province"), {"province": "fars"})
    assert saved["Location"] == PROFILE and _fresh(ali).province == "fars"
    client.post(reverse("accounts:profile_province"), {"province": "fars"})  # unchanged: no row
    event = AuditEvent.objects.get(action="account.province_set")
    assert event.data == {"from": "", "to": "fars", "source": "profile"}
    client.post(reverse("accounts:profile_province"), {"province": ""})
    assert _fresh(ali).province == ""


def test_only_the_person_sets_their_own_province(ali, maryam):
    profile = _fresh(ali)
    with pytest.raises(PermissionDenied):
        services.province_set(actor=maryam, profile=profile, province="fars", source="profile")
    with pytest.raises(PermissionDenied):
        services.province_set(actor=maryam, profile=profile, province="fars", source="activation")
    assert _fresh(ali).province == ""
