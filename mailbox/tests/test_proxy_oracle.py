"""Naming a proxy looks a person up by national code. It used to map any code to
a full name, send that person an SMS and answer "not registered" for an unknown
code; and a proxy whose own inbox no broker office had activated could read the
owner's letters. Now the owner must also know the proxy's mobile or birth date,
tries are counted before the lookup, refusals are neutral, the owner sees only a
masked name until the proxy accepts, and a proxy needs an active inbox to be
named, to accept and on every read (docs/mailbox.md, "Proxies")."""

import re
from datetime import date, timedelta

import jdatetime
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.constants import InboxStatus
from accounts.tests.factories import (
    UNUSED_CODES_START,
    CitizenFactory,
    MaryamFactory,
    unused_national_codes,
)
from mailbox import selectors, services
from mailbox.constants import (
    PROXY_LOOKUPS_PER_OWNER_PER_DAY,
    PROXY_LOOKUPS_PER_TARGET_PER_DAY,
    ProxyScope,
    ProxyStatus,
    ReaderRole,
)
from mailbox.exceptions import (
    InvalidProxy,
    InvalidProxyTransition,
    ProxyInboxNotActive,
    ProxyLookupLimit,
    ProxyNotFound,
)
from mailbox.models import AccessRecord, Delivery, ProxyGrant
from sms.models import OutboundSMS

from .conftest import ALI, MARYAM, MARYAM_MOBILE, REZA, activate, fresh
from .test_views import html_of, letter_url

pytestmark = pytest.mark.django_db

PROXIES = reverse("mailbox:proxies")
NEW = reverse("mailbox:proxy_new")
MARYAM_BORN = date(1990, 7, 15)  # MaryamFactory's birth date
NOT_HER_MOBILE = "+989351112233"


@pytest.fixture
def maryam(db):
    return fresh(activate(MaryamFactory()))


def name(owner, code=MARYAM, *, mobile="", ip=None):
    return services.proxy_grant(
        actor=owner,
        national_code=code,
        mobile=mobile,
        scope=ProxyScope.READ,
        expires_on=timezone.localdate() + timedelta(days=30),
        ip=ip,
    )


def invited(owner, proxy):
    """A pending grant as it stands in the database, however it got there."""
    return ProxyGrant.objects.create(
        mailbox=services.mailbox_for_user(user=owner),
        proxy=proxy,
        scope=ProxyScope.READ,
        expires_at=timezone.now() + timedelta(days=30),
        created_by=owner,
    )


def form(**changes) -> dict[str, str]:
    expires = jdatetime.date.fromgregorian(date=timezone.localdate() + timedelta(days=60))
    return {
        "national_code": MARYAM,
        "mobile": "09123456789",
        "scope": ProxyScope.READ,
        "agency": "",
        "expires_on_day": str(expires.day),
        "expires_on_month": str(expires.month),
        "expires_on_year": str(expires.year),
    } | changes


def sms_to_maryam() -> int:
    return OutboundSMS.objects.filter(recipient=MARYAM_MOBILE).count()


# --- 6. naming a proxy is an oracle ------------------------------------------------------------


def test_the_national_code_alone_names_nobody(owner, maryam, django_capture_on_commit_callbacks):
    """The reported attack: a national code mapped to a full name and an SMS."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidProxy) as refused:
        name(owner)
    assert refused.value.field == "mobile"
    assert not ProxyGrant.objects.exists() and sms_to_maryam() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"national_code": REZA},  # nobody registered with this code
        {"mobile": "09351112233"},  # Maryam's code, not her mobile
        {"mobile": "", "birth_date_day": "25", "birth_date_month": "4", "birth_date_year": "1369"},
        {"birth_date_day": "25", "birth_date_month": "4", "birth_date_year": "1369"},  # one wrong
    ],
    ids=["unknown-code", "wrong-mobile", "wrong-birth-date", "right-mobile-wrong-birth-date"],
)
def test_an_unknown_code_and_a_mismatch_get_the_same_neutral_answer(
    client, owner, maryam, changes, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, form(**changes))
    assert response.status_code == 400
    form_ = response.context["form"]
    assert form_.non_field_errors() == [str(ProxyNotFound.message)]
    assert list(form_.errors) == ["__all__"]  # next to no field: it does not say which differed
    page = html_of(response)
    assert "مریم" not in page and "احمدی" not in page and "م***" not in page
    assert 'role="alert"' in page
    assert not ProxyGrant.objects.exists() and sms_to_maryam() == 0


@pytest.mark.parametrize(
    "proof",
    [
        {"mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹"},
        {"mobile": "", "birth_date_day": "24", "birth_date_month": "4", "birth_date_year": "1369"},
    ],
    ids=["mobile", "birth-date"],
)
def test_the_owner_who_knows_the_proxy_sees_only_a_masked_name_until_she_accepts(
    client, owner, maryam, proof, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, form(**proof), follow=True)
    assert response.redirect_chain == [(PROXIES, 302)]
    page = html_of(response)
    assert "م*** ا***" in page  # in the notice and in the list of proxies
    assert "مریم" not in page and "احمدی" not in page
    assert sms_to_maryam() == 1  # she is told only now, after the owner proved he knows her
    grant = ProxyGrant.objects.get()
    assert grant.proxy == maryam
    services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    assert "مریم احمدی" in html_of(client.get(PROXIES))  # she agreed to read for him


def test_a_declined_invitation_keeps_the_name_masked(
    owner, maryam, django_capture_on_commit_callbacks
):
    grant = invited(owner, maryam)
    with django_capture_on_commit_callbacks(execute=True):
        services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.DECLINED)
    notice = OutboundSMS.objects.get(recipient=owner.naturalperson.mobile)
    assert "م*** ا***" in notice.body and "مریم" not in notice.body


def test_tries_are_limited_per_owner_per_day_and_mismatches_count(client, owner, maryam):
    client.force_login(owner)
    for _ in range(PROXY_LOOKUPS_PER_OWNER_PER_DAY):
        response = client.post(NEW, form(mobile="09351112233"))
        assert response.context["form"].non_field_errors() == [str(ProxyNotFound.message)]
    # The right mobile, too late: refused before any lookup.
    response = client.post(NEW, form())
    assert "بیش از اندازه" in " ".join(response.context["form"].non_field_errors())
    assert not ProxyGrant.objects.exists()
    with pytest.raises(ProxyLookupLimit):
        name(fresh(owner), mobile=MARYAM_MOBILE)


def test_tries_naming_one_person_are_limited_across_owners(maryam):
    owners = [fresh(activate(CitizenFactory(username=code))) for code in unused_national_codes(6)]
    for stranger in owners[:PROXY_LOOKUPS_PER_TARGET_PER_DAY]:
        with pytest.raises(ProxyNotFound):
            name(stranger, mobile=NOT_HER_MOBILE)
    with pytest.raises(ProxyLookupLimit):
        name(owners[PROXY_LOOKUPS_PER_TARGET_PER_DAY], mobile=MARYAM_MOBILE)


def test_tries_are_limited_per_address(maryam):
    owners = [fresh(activate(CitizenFactory(username=code))) for code in unused_national_codes(21)]
    targets = unused_national_codes(21, start=UNUSED_CODES_START + 1000)
    for stranger, target in zip(owners[:20], targets, strict=False):
        with pytest.raises(ProxyNotFound):
            name(stranger, target, mobile=NOT_HER_MOBILE, ip="198.51.100.9")
    with pytest.raises(ProxyLookupLimit):
        name(owners[20], mobile=MARYAM_MOBILE, ip="198.51.100.9")
    assert name(owners[20], mobile=MARYAM_MOBILE, ip="198.51.100.10").proxy == maryam


# --- 8. a proxy needs an inbox activated in person ----------------------------------------------


@pytest.mark.parametrize("status", [InboxStatus.REGISTERED, InboxStatus.SUSPENDED])
def test_a_proxy_without_an_active_inbox_cannot_be_named(
    client, owner, maryam, status, django_capture_on_commit_callbacks
):
    activate(maryam, status)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, form())
    assert response.status_code == 400
    [error] = response.context["form"].non_field_errors()
    assert "م*** ا***" in error and "فعال" in error and "مریم" not in error
    assert not ProxyGrant.objects.exists() and sms_to_maryam() == 0
    with pytest.raises(ProxyInboxNotActive):
        name(owner, mobile=MARYAM_MOBILE)


def test_a_proxy_whose_inbox_is_not_active_cannot_accept(owner, maryam):
    grant = invited(owner, maryam)
    activate(maryam, InboxStatus.SUSPENDED)
    with pytest.raises(InvalidProxyTransition, match="فعال"):
        services.proxy_transition(actor=fresh(maryam), grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    assert ProxyGrant.objects.get().status == ProxyStatus.PENDING


def test_a_proxy_suspended_later_loses_access_at_every_read(owner, maryam, send):
    letter = send(recipients=[ALI])
    delivery = Delivery.objects.select_related("letter", "recipient").get(letter=letter)
    grant = invited(owner, maryam)
    grant = services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    assert [d.pk for d in selectors.inbox(user=maryam, grant=grant).items] == [delivery.pk]

    activate(maryam, InboxStatus.SUSPENDED)
    maryam = fresh(maryam)  # as her next request loads her
    assert selectors.inbox(user=maryam, grant=grant).items == []
    assert selectors.acting_grant(user=maryam, grant_id=grant.pk) is None
    with pytest.raises(Delivery.DoesNotExist):
        selectors.delivery_for(user=maryam, tracking_code=letter.tracking_code, grant=grant)
    assert selectors.inbox_senders(user=maryam, grant=grant) == []
    assert selectors.letter_thread(user=maryam, delivery=delivery, grant=grant) == []
    with pytest.raises(PermissionDenied):
        services.delivery_mark_read(
            actor=maryam, delivery=delivery, acting_as=ReaderRole.PROXY, grant=grant
        )
    assert not AccessRecord.objects.exists()


def test_a_proxy_suspended_while_acting_is_sent_back_on_the_next_click(owner, maryam, send):
    letter = send(recipients=[ALI])
    grant = invited(owner, maryam)
    services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    client = Client()
    client.force_login(maryam)
    client.post(reverse("mailbox:proxy_act", args=[grant.pk]))
    assert client.get(letter_url(letter)).status_code == 200
    activate(maryam, InboxStatus.SUSPENDED)
    response = client.get(letter_url(letter))
    assert response.status_code == 302 and response["Location"] == PROXIES
    assert AccessRecord.objects.count() == 1  # the one read before the suspension
    # The proxies page says why, and offers no way in.
    page = html_of(client.get(PROXIES))
    assert 'data-testid="proxy-needs-own-inbox"' in page and 'data-testid="act-for"' not in page
    again = client.post(reverse("mailbox:proxy_act", args=[grant.pk]), follow=True)
    assert "کارپوشه‌ی خودش فعال باشد" in html_of(again)


def test_the_proxy_form_links_every_hint_to_its_field(client, owner):
    client.force_login(owner)
    page = html_of(client.get(PROXIES))
    described = {
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', page) for ref in refs.split()
    }
    assert {"id_mobile_helptext", "id_national_code_helptext", "proxy-proof-hint"} <= described
    for ref in described:
        assert f'id="{ref}"' in page, ref
    assert '<label class="form-label" for="id_mobile">' in page
