"""USSD *4*1# option 3: the caller's unread letters, found by the verified
mobile of their profile, in Persian digits."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.tests.factories import NoavaranFactory
from mailbox.demo import _ussd_option
from mailbox.ussd import unread_count_handler
from sms import signing, ussd
from sms.constants import UssdAction
from sms.demo_ussd import DEMO_CODE, seed_ussd

from .conftest import ALI, COMPANY, MARYAM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def menu(db):
    seed_ussd()
    _ussd_option()


def dial(text, phone="09121234567"):
    return ussd.respond(
        session_id="s1", phone_number=phone, service_code=DEMO_CODE, text=text
    ).render()


def test_the_mailbox_answers_the_unread_count_action():
    assert ussd.handler_for(UssdAction.UNREAD_COUNT) is unread_count_handler
    assert "نامه‌های خوانده‌نشده" in dial("")


def test_the_caller_hears_their_unread_count_in_persian_digits(send, ali):
    for n in range(12):
        send(subject=f"نامه {n}")
    assert dial("3") == "END ۱۲ نامه‌ی خوانده‌نشده در کارپوشه‌ی شما است."


def test_no_unread_letters(ali):
    assert dial("3") == "END نامه‌ی خوانده‌نشده‌ای در کارپوشه‌ی شما نیست."


def test_a_number_with_no_account_is_told_so(ali):
    answer = dial("3", phone="09350000000")
    assert answer.startswith("END ") and "به هیچ حسابی" in answer


def test_a_ceo_mobile_lists_the_person_and_the_company(send, maryam):
    NoavaranFactory()
    send(recipients=[MARYAM])
    send(recipients=[COMPANY, MARYAM], subject="دوم")
    send(recipients=[COMPANY], subject="سوم")
    answer = dial("3", phone="09123456789")
    assert "مریم احمدی: ۲" in answer and "شرکت نوآوران پارس (سهامی خاص): ۲" in answer
    assert len(answer) <= ussd.MAX_SCREEN_CHARS


def test_through_the_signed_callback(client, send, ali):
    send(recipients=[ALI])
    body = urlencode(
        {"sessionId": "s", "phoneNumber": "+989121234567", "serviceCode": DEMO_CODE, "text": "3"}
    ).encode()
    response = client.post(
        reverse("sms:ussd_callback"),
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers=signing.sign(secret="test-sms-callback-secret", body=body),
    )
    assert response.content.decode() == "END ۱ نامه‌ی خوانده‌نشده در کارپوشه‌ی شما است."
