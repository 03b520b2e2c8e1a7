"""Proxies (وکالت): the owner names one by national code with a scope, an
optional agency and an expiry; the proxy accepts; acting for the owner they see
only what the grant covers, every use is recorded for the owner, and a
revocation closes the inbox to them on their next click."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.constants import InboxStatus
from accounts.tests.factories import (
    AliFactory,
    MaryamFactory,
    NoavaranFactory,
    RezaFactory,
)
from mailbox import selectors, services
from mailbox.constants import AccessAction, ProxyScope, ProxyStatus, ReaderRole
from mailbox.exceptions import InvalidProxy, InvalidProxyTransition, ReplyNotAllowed
from mailbox.models import AccessRecord, Delivery, Letter, ProxyGrant
from mailbox.views import ACTING_SESSION_KEY
from payam.models import AuditEvent
from sms.models import OutboundSMS

from .conftest import ALI, MARYAM, MARYAM_MOBILE, REZA, activate, fresh, pdf, upload
from .factories import AgencyMailboxFactory
from .test_views import html_of, letter_url

pytestmark = pytest.mark.django_db

INBOX = reverse("mailbox:inbox")
PROXIES = reverse("mailbox:proxies")


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def name_proxy(owner, code=MARYAM, **kwargs):
    fields = {"scope": ProxyScope.READ, "expires_on": in_days(30), "mobile": MARYAM_MOBILE}
    fields.update(kwargs)
    return services.proxy_grant(actor=owner, national_code=code, **fields)


def accepted(grant):
    return services.proxy_transition(actor=grant.proxy, grant_id=grant.pk, to=ProxyStatus.ACTIVE)


@pytest.fixture
def maryam(db):
    """A proxy needs an inbox of her own, activated in person."""
    return fresh(activate(MaryamFactory()))


@pytest.fixture
def proxy_client(client, maryam):
    client.force_login(maryam)
    return client


def act(client, grant):
    return client.post(reverse("mailbox:proxy_act", args=[grant.pk]))


# --- naming a proxy ------------------------------------------------------------------------------


def test_the_owner_names_a_proxy_who_is_told_by_sms(
    owner, maryam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = name_proxy(owner, "۰۰۲۳۴۵۶۷۸۷")  # Persian digits are fine
    assert grant.status == ProxyStatus.PENDING
    assert grant.proxy == maryam and grant.mailbox.owner == owner
    # Until the end of that day in Tehran.
    assert timezone.localtime(grant.expires_at).date() == in_days(30)
    assert timezone.localtime(grant.expires_at).hour == 23
    sms = OutboundSMS.objects.get(recipient=MARYAM_MOBILE)
    assert "وکیل" in sms.body and "علی رضایی" in sms.body
    assert AuditEvent.objects.filter(action="proxy.grant", actor=owner).exists()


@pytest.mark.parametrize(
    ("code", "days", "message"),
    [
        ("0023456788", 30, "کد ملی وکیل معتبر نیست"),  # wrong check digit
        (REZA, 30, "ثبت‌نام نکرده"),  # valid code, nobody registered
        (ALI, 30, "خودتان"),
        (MARYAM, 0, "پس از امروز"),
        (MARYAM, 800, "حداکثر"),
    ],
)
def test_a_proxy_that_cannot_be_named_is_refused_with_a_reason(owner, maryam, code, days, message):
    with pytest.raises(InvalidProxy, match=message):
        name_proxy(owner, code, expires_on=in_days(days))
    assert not ProxyGrant.objects.exists()


def test_the_same_proxy_cannot_be_named_twice_while_live(owner, maryam):
    name_proxy(owner)
    with pytest.raises(InvalidProxy, match="هم‌اکنون"):
        name_proxy(owner)
    assert ProxyGrant.objects.count() == 1


def test_only_the_owner_of_an_active_inbox_names_proxies(ali, maryam):
    with pytest.raises(PermissionDenied):  # Ali's inbox is not activated yet
        name_proxy(ali)


def test_a_company_names_a_natural_person_but_a_company_is_no_proxy(maryam):
    from .conftest import COMPANY

    company = fresh(activate(NoavaranFactory()))
    grant = name_proxy(company)
    assert grant.mailbox.owner == company
    with pytest.raises(InvalidProxy):
        name_proxy(fresh(activate(AliFactory())), COMPANY)


# --- the state machine ------------------------------------------------------------------------


def test_accept_decline_revoke_follow_the_transitions(owner, maryam):
    grant = name_proxy(owner)
    with pytest.raises(PermissionDenied):  # the owner cannot accept for the proxy
        services.proxy_transition(actor=owner, grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    grant = accepted(grant)
    assert grant.status == ProxyStatus.ACTIVE and grant.accepted_at is not None
    with pytest.raises(InvalidProxyTransition):
        services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.DECLINED)
    grant = services.proxy_transition(actor=owner, grant_id=grant.pk, to=ProxyStatus.REVOKED)
    assert grant.status == ProxyStatus.REVOKED and grant.ended_by == owner
    with pytest.raises(InvalidProxyTransition):
        services.proxy_transition(actor=owner, grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"proxy.grant", "proxy.active", "proxy.revoked"} <= actions


def test_a_stranger_cannot_touch_a_grant(owner, maryam):
    grant = name_proxy(owner)
    reza = RezaFactory(profile__mobile="+989351234567")
    for to in ProxyStatus.ACTIVE, ProxyStatus.REVOKED:
        with pytest.raises(PermissionDenied):
            services.proxy_transition(actor=reza, grant_id=grant.pk, to=to)


def test_a_proxy_may_give_up_an_accepted_grant_but_not_revoke_an_invitation(owner, maryam):
    grant = name_proxy(owner)
    with pytest.raises(PermissionDenied):
        services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.REVOKED)
    accepted(grant)
    grant = services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.REVOKED)
    assert grant.ended_by == maryam


def test_an_expired_invitation_cannot_be_accepted(owner, maryam):
    grant = name_proxy(owner, expires_on=in_days(1))
    with freeze_time(timezone.now() + timedelta(days=3)), pytest.raises(InvalidProxyTransition):
        accepted(grant)


# --- what a proxy sees ------------------------------------------------------------------------


def test_a_proxy_reads_only_within_a_live_grant(owner, maryam, send):
    letter = send()
    delivery = Delivery.objects.get(letter=letter)
    grant = name_proxy(owner)
    # Pending: nothing.
    assert selectors.inbox(user=maryam, grant=grant).items == []
    with pytest.raises(PermissionDenied):
        services.delivery_mark_read(
            actor=maryam, delivery=delivery, acting_as=ReaderRole.PROXY, grant=grant
        )
    grant = accepted(grant)
    assert [d.pk for d in selectors.inbox(user=maryam, grant=grant).items] == [delivery.pk]
    # Someone else holding the grant object gets nothing.
    assert selectors.inbox(user=owner, grant=grant).items == []
    with freeze_time(grant.expires_at + timedelta(seconds=1)):
        assert selectors.inbox(user=maryam, grant=grant).items == []
        assert selectors.acting_grant(user=maryam, grant_id=grant.pk) is None


def test_the_agency_filter_limits_what_the_proxy_sees(owner, maryam, send, admin):
    court = AgencyMailboxFactory(display_name="قوه قضاییه — سامانه ثنا")
    tax_letter = send(subject="مالیات")
    court_letter = send(sender=court, subject="ابلاغیه‌ی دادگاه")
    grant = accepted(name_proxy(owner, agency=court))
    seen = [d.letter for d in selectors.inbox(user=maryam, grant=grant).items]
    assert seen == [court_letter]
    with pytest.raises(Delivery.DoesNotExist):
        selectors.delivery_for(user=maryam, tracking_code=tax_letter.tracking_code, grant=grant)


def test_a_proxy_read_stamps_the_receipt_and_is_recorded(owner, maryam, send):
    letter = send()
    delivery = Delivery.objects.get(letter=letter)
    grant = accepted(name_proxy(owner))
    services.delivery_mark_read(
        actor=maryam, delivery=delivery, acting_as=ReaderRole.PROXY, grant=grant, ip="10.0.0.9"
    )
    delivery.refresh_from_db()
    assert delivery.first_read_by == ReaderRole.PROXY and delivery.first_reader == maryam
    record = AccessRecord.objects.get()
    assert (record.user, record.acting_as, record.action, record.ip) == (
        maryam,
        ReaderRole.PROXY,
        AccessAction.VIEW,
        "10.0.0.9",
    )
    assert record.grant_type == "mailbox.proxygrant" and record.grant_id == str(grant.pk)
    [listed] = selectors.proxy_grants_given(user=owner)
    # Annotations of the selector, not fields of the model.
    assert vars(listed)["last_used_at"] == record.at and vars(listed)["use_count"] == 1


def test_a_read_only_proxy_cannot_reply_and_a_reply_proxy_can(owner, maryam, send, tax):
    letter = send(reply_allowed=True)
    delivery = Delivery.objects.select_related("letter", "recipient").get(letter=letter)
    reader = accepted(name_proxy(owner))
    with pytest.raises(ReplyNotAllowed):
        services.letter_reply(actor=maryam, delivery=delivery, text="سلام", grant=reader)
    services.proxy_transition(actor=owner, grant_id=reader.pk, to=ProxyStatus.REVOKED)
    replier = accepted(name_proxy(owner, scope=ProxyScope.READ_REPLY))
    reply = services.letter_reply(actor=maryam, delivery=delivery, text="پاسخ وکیل", grant=replier)
    assert reply.sender == delivery.recipient and reply.sent_by == maryam
    assert Delivery.objects.filter(letter=reply, recipient=tax).exists()
    event = AuditEvent.objects.get(action="letter.send", data__tracking_code=reply.tracking_code)
    assert event.acting_for_id == owner.pk
    assert AccessRecord.objects.filter(action=AccessAction.REPLY, user=maryam).exists()


def test_a_grant_never_lets_a_proxy_send_a_new_letter(owner, maryam, tax):
    grant = accepted(name_proxy(owner, scope=ProxyScope.READ_REPLY))
    with pytest.raises(PermissionDenied):
        services.letter_send(
            actor=maryam,
            sender=grant.mailbox,
            recipients=[tax],
            subject="نامه‌ی تازه",
            body="متن",
            category="general",
            grant=grant,
        )
    assert not Letter.objects.filter(subject="نامه‌ی تازه").exists()


# --- the pages ----------------------------------------------------------------------------------


def test_the_journey_name_accept_act_read_and_the_owner_sees_it(client, owner, maryam, send):
    letter = send(subject="اطلاعیه برای وکیل")
    client.force_login(owner)
    response = client.post(
        reverse("mailbox:proxy_new"),
        {
            "national_code": MARYAM,
            "mobile": "۰۹۱۲۳۴۵۶۷۸۹",
            "scope": ProxyScope.READ,
            "agency": "",
            "expires_on_day": "1",
            "expires_on_month": "1",
            "expires_on_year": str(_jalali_year_after(days=400)),
        },
    )
    assert response.status_code == 302, html_of(response)
    grant = ProxyGrant.objects.get()

    client.force_login(maryam)
    page = client.get(PROXIES)
    assert "علی رضایی" in html_of(page) and "می‌پذیرم" in html_of(page)
    client.post(reverse("mailbox:proxy_move", args=[grant.pk, "accept"]))
    assert act(client, grant).url == INBOX
    inbox = client.get(INBOX)
    assert 'data-testid="acting-banner"' in html_of(inbox)
    assert "اطلاعیه برای وکیل" in html_of(inbox)
    assert client.get(letter_url(letter)).status_code == 200

    client.force_login(owner)
    page = html_of(client.get(letter_url(letter)))
    assert 'data-testid="last-proxy-access"' in page and "مریم احمدی" in page
    log = html_of(client.get(reverse("mailbox:access_log")))
    assert log.count('data-testid="access-row"') == 1 and "وکیل" in log


def _jalali_year_after(*, days: int) -> int:
    import jdatetime

    return jdatetime.date.fromgregorian(date=in_days(days)).year


def test_a_form_error_keeps_what_was_typed(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("mailbox:proxy_new"),
        {
            "national_code": REZA,
            "mobile": "09193456789",
            "scope": ProxyScope.READ_REPLY,
            "expires_on_day": "1",
            "expires_on_month": "1",
            "expires_on_year": str(_jalali_year_after(days=400)),
        },
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "ثبت‌نام نکرده" in html and REZA in html and "09193456789" in html
    [radio] = re.findall(r'<input[^>]*value="read_reply"[^>]*>', html)
    assert "checked" in radio


def test_revocation_closes_the_inbox_on_the_next_click(client, owner, maryam, send):
    letter = send()
    grant = accepted(name_proxy(owner))
    client.force_login(maryam)
    act(client, grant)
    assert client.get(INBOX).status_code == 200
    services.proxy_transition(actor=owner, grant_id=grant.pk, to=ProxyStatus.REVOKED)
    response = client.get(letter_url(letter))
    assert response.status_code == 302 and response.url == PROXIES
    assert ACTING_SESSION_KEY not in client.session
    assert not AccessRecord.objects.exists()


def test_a_suspended_inbox_is_closed_to_its_proxy(client, owner, maryam, send):
    send()
    grant = accepted(name_proxy(owner))
    client.force_login(maryam)
    act(client, grant)
    activate(owner, InboxStatus.SUSPENDED)
    assert client.get(INBOX).url == PROXIES


def test_a_proxy_cannot_use_owner_only_pages(client, owner, maryam, send):
    letter = send()
    grant = accepted(name_proxy(owner))
    client.force_login(maryam)
    act(client, grant)
    flags = client.post(letter_url(letter, "flags"), {"starred": "true"}, HTTP_HX_REQUEST="true")
    assert flags.status_code == 403  # refused, never a page to paste into the row
    assert not Delivery.objects.filter(starred=True).exists()
    assert client.get(reverse("mailbox:access_log")).url == INBOX


def test_another_persons_grant_cannot_be_acted_under(client, owner, maryam, send):
    grant = accepted(name_proxy(owner))
    reza = RezaFactory(profile__mobile="+989351234567")
    client.force_login(reza)
    response = act(client, grant)
    assert response.url == PROXIES and ACTING_SESSION_KEY not in client.session
    assert client.post(reverse("mailbox:proxy_move", args=[grant.pk, "revoke"])).status_code == 404
    assert ProxyGrant.objects.get().status == ProxyStatus.ACTIVE


def test_downloads_by_a_proxy_are_recorded(client, owner, maryam, send):
    letter = send(attachments=[upload("قبض.pdf", pdf())])
    grant = accepted(name_proxy(owner))
    client.force_login(maryam)
    act(client, grant)
    response = client.get(letter_url(letter, "attachment", 0))
    assert response.status_code == 200
    assert AccessRecord.objects.filter(action=AccessAction.DOWNLOAD, user=maryam).count() == 1


def test_the_proxy_reply_page_flow(client, owner, maryam, send, tax):
    letter = send(reply_allowed=True)
    grant = accepted(name_proxy(owner, scope=ProxyScope.READ_REPLY))
    client.force_login(maryam)
    act(client, grant)
    page = html_of(client.get(letter_url(letter)))
    assert 'data-testid="reply-form"' in page and "به وکالت از او" in page
    response = client.post(letter_url(letter, "reply"), {"body": "پاسخ از طرف علی"})
    assert response.status_code == 302
    assert Letter.objects.filter(in_reply_to=letter, sent_by=maryam).exists()


def test_the_access_log_lists_only_the_owners_records(client, owner, maryam, send):
    send()
    grant = accepted(name_proxy(owner))
    delivery = Delivery.objects.get()
    services.delivery_mark_read(
        actor=maryam, delivery=delivery, acting_as=ReaderRole.PROXY, grant=grant
    )
    reza = fresh(activate(RezaFactory(profile__mobile="+989351234567")))
    assert selectors.inbox_access_log(user=reza).items == []
    assert len(selectors.inbox_access_log(user=owner).items) == 1


def test_the_access_log_pages_with_a_constant_query_count(
    client, owner, maryam, send, django_assert_max_num_queries
):
    send()
    grant = accepted(name_proxy(owner))
    delivery = Delivery.objects.get()
    for _ in range(60):
        services.delivery_record_access(
            actor=maryam,
            delivery=delivery,
            action=AccessAction.VIEW,
            acting_as=ReaderRole.PROXY,
            grant=grant,
        )
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("mailbox:access_log"))
    assert html_of(first).count('data-testid="access-row"') == 50
    older = first.context["page"].next_cursor
    second = client.get(reverse("mailbox:access_log"), {"after": older})
    assert html_of(second).count('data-testid="access-row"') == 10


def test_a_proxy_prints_and_the_owner_sees_it(client, owner, maryam, send):
    letter = send()
    grant = accepted(name_proxy(owner))
    client.force_login(maryam)
    act(client, grant)
    response = client.get(letter_url(letter, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(letter_url(letter, "print")).status_code == 200
    assert AccessRecord.objects.filter(action=AccessAction.PRINT, user=maryam).count() == 2
