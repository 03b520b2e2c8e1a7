"""Password recovery must not tell whether a username and a mobile belong
together. The reported leaks: the code page said `data-countdown="60" disabled`
for a real pair and `"0"` for a made-up one; a second start within 60 seconds
said "wait" only for real pairs; "send again" said "sent" for made-up ones. Here
a real pair and made-up ones walk the same steps at the same instants, and every
page is compared byte for byte once the CSRF tokens and captcha keys are out."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import NaturalPerson, OneTimeCode
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS

pytestmark = pytest.mark.django_db

START = reverse("accounts:recover")
VERIFY = reverse("accounts:recover_verify")
ALI, ALIS_MOBILE = "0012345679", "09121234567"
NOBODY = "0023456787"  # a valid national code without an account
SOMEONE_ELSES_MOBILE = "09352345678"


@pytest.fixture
def ali(django_user_model):
    user = django_user_model.objects.create_user(username=ALI, password="Ketab-Khaneh-1404")
    NaturalPerson.objects.create(
        user=user,
        national_code=ALI,
        first_name="علی",
        last_name="رضایی",
        birth_date=date(1985, 3, 21),
        gender="male",
        mobile="+989121234567",
    )
    return user


_RANDOM = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'name="csrf-token" content="[^"]+"'), 'name="csrf-token"'),
    (re.compile(r"[0-9a-f]{40}"), "<captcha key>"),
]


def to_persian(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def page(response, *typed: str) -> str:
    """What the person sees, without the parts that differ on every render and
    with what they typed (shown back to them, in either digits) as placeholders."""
    html = f"{response.status_code} {response.get('Location', '')}\n"
    html += response.content.decode()
    for pattern, replacement in _RANDOM:
        html = pattern.sub(replacement, html)
    for n, value in enumerate(typed):
        html = html.replace(value, f"<typed {n}>").replace(to_persian(value), f"<typed {n}>")
    return html


def walk(username: str, mobile: str) -> list[str]:
    """Every recovery step a stranger can take without the code, from a fresh
    browser and fresh counters, at fixed instants. What a request hands over
    after its commit (the OTP worker's task) runs at the end of that request."""
    cache.clear()
    client = Client()
    form = {"username": username, "mobile": mobile, **CAPTCHA}
    seen = []

    def see(method, path, data=None, **kwargs) -> None:
        with TestCase.captureOnCommitCallbacks(execute=True):
            seen.append(page(getattr(client, method)(path, data, **kwargs), username, mobile))

    # At the start of an hour, so the walk (about nine minutes of ticks) stays inside
    # one window of the hourly limits whatever time the suite runs.
    t0 = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    with freeze_time(t0) as clock:
        see("get", START)  # the start page
        see("post", START, form)  # its answer
        see("get", VERIFY)  # the code page, with its countdown
        clock.tick(10)
        see("post", START, form)  # a second start within 60 s
        see("post", VERIFY, {"resend": "1"}, follow=True)  # resend too soon
        clock.tick(51)
        see("post", VERIFY, {"resend": "1"}, follow=True)  # resend
        for code in ("000000", "111111", "222222", "333333", "444444", "555555"):
            see("post", VERIFY, {"code": code})  # wrong codes, then too many
        clock.tick(61)
        see("post", VERIFY, {"resend": "1"}, follow=True)  # a fresh code
        clock.tick(121)
        see("post", VERIFY, {"code": "666666"})  # expired
        for _ in range(5):  # past the mobile's hourly limit
            clock.tick(61)
            see("post", VERIFY, {"resend": "1"}, follow=True)
    return seen


STEPS = [
    "start page",
    "start answer",
    "code page",
    "second start within 60 s",
    "resend within 60 s",
    "resend",
    *[f"wrong code {n}" for n in range(1, 7)],
    "resend after too many",
    "expired code",
    *[f"resend {n} of the hour" for n in range(3, 8)],
]


def differing(real: list[str], fake: list[str]) -> list[str]:
    """The steps whose pages differ (and the first difference of each)."""
    out = []
    for name, mine, theirs in zip(STEPS, real, fake, strict=True):
        if mine != theirs:
            at = next(i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b)
            out.append(f"{name}: {mine[at - 40 : at + 40]!r} vs {theirs[at - 40 : at + 40]!r}")
    return out


def test_a_real_pair_and_an_unknown_username_see_the_same_pages(ali):
    real = walk(ALI, ALIS_MOBILE)
    assert OutboundSMS.objects.filter(recipient="+989121234567").count() >= 2  # codes did go
    assert 'data-countdown="60" disabled' in real[2]  # the countdown shows for both ...
    assert "ثانیه‌ی دیگر می‌توانید" in real[3]  # ... and so does "wait"
    assert "بیش از اندازه" in real[-1]
    sent = OutboundSMS.objects.count()
    fake = walk(NOBODY, ALIS_MOBILE)
    assert OutboundSMS.objects.count() == sent  # nothing went to anyone for the made-up pair
    assert differing(real, fake) == []


def test_a_real_pair_and_someone_elses_mobile_see_the_same_pages(ali):
    real = walk(ALI, ALIS_MOBILE)
    fake = walk(ALI, SOMEONE_ELSES_MOBILE)
    assert differing(real, fake) == []


def _start_work(username: str, monkeypatch) -> tuple[list[str], list[tuple]]:
    """The SQL a start runs in the request (literals blanked) and the work it hands
    to the OTP worker."""
    from accounts import tasks

    cache.clear()
    handed: list[tuple] = []
    monkeypatch.setattr(
        tasks.recovery_code_send, "apply_async", lambda args, **kw: handed.append((args, kw))
    )
    with (
        CaptureQueriesContext(connection) as queries,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        Client().post(START, {"username": username, "mobile": ALIS_MOBILE, **CAPTCHA})
    sql = [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in queries.captured_queries]
    return sql, handed


def test_a_real_pair_and_a_made_up_one_do_the_same_work_in_the_request(ali, monkeypatch):
    real_sql, real_handed = _start_work(ALI, monkeypatch)
    fake_sql, fake_handed = _start_work(NOBODY, monkeypatch)
    assert real_sql == fake_sql
    # The code is sent off the request, by the OTP worker, for both (a no-op for the made-up one).
    assert [kw for _args, kw in real_handed] == [kw for _args, kw in fake_handed]
    assert real_handed[0][0] == (ali.pk, "+989121234567")
    assert fake_handed[0][0] == (None, "+989121234567")
    assert not OneTimeCode.objects.exists()  # nothing was sent inside the request


def test_only_the_real_pair_gets_a_code_from_the_worker(ali):
    walk(NOBODY, ALIS_MOBILE)
    walk(ALI, SOMEONE_ELSES_MOBILE)
    assert not OutboundSMS.objects.exists() and not OneTimeCode.objects.exists()
    walk(ALI, ALIS_MOBILE)
    assert OneTimeCode.objects.filter(mobile="+989121234567", purpose="password_reset").exists()
