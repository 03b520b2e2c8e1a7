from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accounts import services
from accounts.constants import OtpPurpose
from accounts.exceptions import (
    OtpExpired,
    OtpInvalid,
    OtpLimitReached,
    OtpTooManyAttempts,
    OtpTooSoon,
)
from accounts.models import OneTimeCode
from sms.models import OutboundSMS

from .helpers import last_code

pytestmark = pytest.mark.django_db
MOBILE = "09121234567"


@pytest.fixture
def sent_code(monkeypatch, django_capture_on_commit_callbacks):
    """Send a code and read it back from the console gateway, as a person would."""

    def send(mobile=MOBILE, purpose=OtpPurpose.REGISTRATION, ip="198.51.100.7"):
        with django_capture_on_commit_callbacks(execute=True):
            services.otp_send(purpose=purpose, mobile=mobile, ip=ip)
        return last_code()

    return send


def test_code_goes_out_from_4040_as_an_otp_and_is_stored_hashed(sent_code):
    code = sent_code()
    sms = OutboundSMS.objects.get()
    assert (sms.sender.number, sms.kind, sms.recipient, sms.status) == (
        "4040",
        "otp",
        "+989121234567",
        "sent",
    )
    otp = OneTimeCode.objects.get()
    assert code not in otp.code_hash and len(otp.code_hash) == 64
    assert (otp.expires_at - otp.created_at) == timedelta(minutes=2)


def test_right_code_is_accepted_once(sent_code):
    code = sent_code()
    services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=code)
    with pytest.raises(OtpInvalid):
        services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=code)


def test_persian_digits_and_other_mobile_forms_are_accepted(sent_code):
    code = sent_code()
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile="+989121234567", code=persian)


def test_code_is_bound_to_purpose_and_mobile(sent_code):
    code = sent_code()
    with pytest.raises(OtpInvalid):
        services.otp_verify(purpose=OtpPurpose.PASSWORD_RESET, mobile=MOBILE, code=code)
    with pytest.raises(OtpInvalid):
        services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile="09351234567", code=code)


def test_expires_after_two_minutes(sent_code):
    code = sent_code()
    with freeze_time(timezone.now() + timedelta(seconds=121)), pytest.raises(OtpExpired):
        services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=code)


def test_five_wrong_tries_kill_the_code(sent_code):
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(OtpInvalid):
            services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=wrong)
    with pytest.raises(OtpTooManyAttempts):
        services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=wrong)
    with pytest.raises(OtpTooManyAttempts):  # even the right code now
        services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=code)
    assert OneTimeCode.objects.get().failed_attempts == 5


def test_resend_waits_60_seconds_and_replaces_the_old_code(sent_code):
    first = sent_code()
    with pytest.raises(OtpTooSoon) as err:
        sent_code()
    assert 55 <= err.value.wait_seconds <= 61 and "ثانیه" in str(err.value)
    with freeze_time(timezone.now() + timedelta(seconds=61)):
        second = sent_code()
        if first != second:
            with pytest.raises(OtpInvalid):
                services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=first)
        services.otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=MOBILE, code=second)


def test_at_most_five_codes_per_mobile_per_hour(sent_code):
    start = timezone.now()
    with freeze_time(start) as clock:
        for _ in range(5):
            sent_code()
            clock.tick(timedelta(seconds=61))
        with pytest.raises(OtpLimitReached) as err:
            sent_code()
        assert "دقیقه" in str(err.value)
        clock.move_to(start + timedelta(hours=1, seconds=1))
        sent_code()  # the oldest left the window


def test_per_ip_limit(sent_code, settings):
    settings.OTP_MAX_PER_IP_PER_HOUR = 2
    sent_code(mobile="09120000001", ip="203.0.113.5")
    sent_code(mobile="09120000002", ip="203.0.113.5")
    with pytest.raises(OtpLimitReached):
        sent_code(mobile="09120000003", ip="203.0.113.5")
    sent_code(mobile="09120000003", ip="203.0.113.6")


def test_bad_mobile_is_refused_before_anything_is_stored():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.otp_send(purpose=OtpPurpose.REGISTRATION, mobile="021-8800", ip=None)
    assert not OneTimeCode.objects.exists() and not OutboundSMS.objects.exists()
