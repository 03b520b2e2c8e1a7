"""The accessibility sweep: axe-core 4.14 (tests/e2e/axe.py) over every page each
persona reaches — anonymous, citizen, company, the company's proxy, the ITO expert, the
broker-office clerk and the administrator — in Persian and in English, at 1280 and at
390 pixels wide, with the WCAG 2.0, 2.1 and 2.2 A and AA rules: no violation of any
impact. The pages come from the URL configuration (tests/e2e/a11y_pages.py): a URL the
sweep neither visits nor excludes with a reason fails.

Before the sweep is trusted, a fixture page of faint Persian text in Vazirmatn shows
that the sweep's axe flags it and that axe as published passes it (the icon-ligature
heuristic, see axe.py)."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User, UserKind
from accounts.selectors import EMAIL_TOKEN_SALT, email_state, profile_of
from accounts.services import (
    legal_registration_start,
    natural_registration_start,
    recovery_start,
    role_grant,
)
from accounts.testing import BACKEND, sign_in_with_second_factor
from accounts.tests.factories import unused_national_codes
from agencies.demo import PENDING_NATIONAL_ID
from agencies.models import Agency, AgencyApplication, Campaign
from agencies.services import AgencyInfo, RepresentativeInfo, application_return, application_start
from agencies.services.campaigns import campaign_confirm, campaign_create
from brokers.constants import DelegationLetters, DelegationScope, DelegationStatus
from brokers.models import BrokerOffice, Delegation
from brokers.services import activation_lookup
from mailbox.constants import MailboxKind, ProxyScope, ProxyStatus
from mailbox.demo import tiny_pdf
from mailbox.models import Delivery, Mailbox, ProxyGrant
from mailbox.services import delivery_set_flags, letter_write, proxy_grant
from payam.sessions import SessionStore
from payam.tracking import TrackingKind, issue
from servicedesk.models import Request as DeskRequest
from servicedesk.services import ticket_open

from . import a11y_pages as pages
from . import axe
from .conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("fa", "en")
WIDTHS = (1280, 390)
# A screenshot of a few pages (tests/e2e/screenshots/a11y-*.png), in two of the four
# combinations: enough to see the colours, not hundreds of files.
SHOTS = ("home", "account_login", "mailbox:inbox", "mailbox:letter", "accounts:profile")
SHOT_AT = (("fa", 1280), ("en", 390))

# --- the fixture: faint Persian text ----------------------------------------------------

FAINT = "#b0b0b0"  # on white: 2.1:1, far below 4.5:1
FIXTURE_PATH = "/__a11y__/faint-persian/"
# The site's own stylesheets and font; the page is served at the live server's origin
# (Playwright answers the request), so they load as on any page of the portal. The words
# are the header's and the login page's. The heuristic takes each of the first three for
# a ligature, and from then on every text in Vazirmatn without measuring it — the faint
# sentence too, which measured alone it would not; so it goes on a real page, where the
# header's short links come first. (Only a text with a half-space, U+200C, escapes: the
# heuristic never takes a text with a format character for a ligature.)
FIXTURE = f"""<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<title>متن کم‌رنگ</title>
<link rel="stylesheet" href="/static/vendor/bootstrap/bootstrap.rtl.min.css">
<link rel="stylesheet" href="/static/css/fonts.css">
<link rel="stylesheet" href="/static/css/payam.css">
<style>
.faint {{ color: {FAINT}; background: #fff; }}
.band {{ background: linear-gradient(135deg, #083a54, #0b4f71); color: #fff; }}
.band .dim {{ color: rgba(255, 255, 255, 0.6); }}
.form-control.bootstrap-grey {{ --bs-border-color: #dee2e6; }}
</style>
</head>
<body>
<main class="container py-4">
  <h1>ورود به پیام ایران</h1>
  <p>نام کاربری</p>
  <p>راهنمای کاربران</p>
  <p class="faint" id="faint-word">حساب ندارید؟</p>
  <p class="faint" id="faint-sentence">کد ملی خود را بدون خط تیره وارد کنید.</p>
  <div class="band p-3">
    <p id="white-on-band">پیام ایران</p>
    <p class="dim" id="dim-on-band">درگاه ملی پیام‌رسانی رسمی</p>
  </div>
  <label for="portal-field">کد ملی</label>
  <input class="form-control" id="portal-field">
  <label for="grey-field">شماره‌ی همراه</label>
  <input class="form-control bootstrap-grey" id="grey-field">
</main>
</body>
</html>"""


def open_fixture(page: Page, base_url: str) -> None:
    url = base_url + FIXTURE_PATH
    page.route(
        url, lambda route: route.fulfill(body=FIXTURE, content_type="text/html; charset=utf-8")
    )
    page.goto(url, wait_until="load")
    state = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return {
                loaded: document.fonts.check("16px Vazirmatn"),
                font: getComputedStyle(document.getElementById("faint-word")).fontFamily,
                color: getComputedStyle(document.getElementById("faint-word")).color,
            };
        }"""
    )
    assert state["loaded"] is True, state
    assert state["font"].replace('"', "").startswith("Vazirmatn"), state
    assert state["color"] == "rgb(176, 176, 176)", state


def contrast_targets(violations: list[axe.Violation], rule: str = "color-contrast") -> set[str]:
    return {
        node["target"]
        for violation in violations
        if violation.rule == rule
        for node in violation.nodes
    }


def test_the_sweep_flags_faint_persian_text(page: Page, live_server):
    open_fixture(page, live_server.url)

    violations = axe.run(page)

    assert contrast_targets(violations) == {"#faint-word", "#faint-sentence"}, axe.report(
        violations
    )
    # On a gradient (the header's), where axe itself decides nothing, the sweep works out
    # the colours: white passes on both ends; 60 % white passes on the dark end (5.4:1)
    # and fails on the light one (4.3:1).
    assert contrast_targets(violations, "color-contrast-undecided") == {"#dim-on-band"}, axe.report(
        violations
    )
    # A field with the portal's outline passes 1.4.11; with Bootstrap's own grey (1.3:1
    # on white) it does not.
    assert contrast_targets(violations, "non-text-contrast") == {"#grey-field"}, axe.report(
        violations
    )


def test_axe_as_published_misses_faint_persian_text(page: Page, live_server):
    """Why the sweep patches axe: unpatched, it takes the Persian words for icon
    ligatures and checks neither faint paragraph."""
    open_fixture(page, live_server.url)

    violations = axe.run(page, patched=False)

    assert contrast_targets(violations) == set(), axe.report(violations)
    # …while the page is the same: the patched axe, on the same tab, flags both.
    page.reload(wait_until="load")
    assert contrast_targets(axe.run(page)) == {"#faint-word", "#faint-sentence"}


def test_the_site_policy_keeps_inline_scripts_out_so_axe_is_evaluated(page: Page, live_server):
    """`add_script_tag(content=…)` is an inline script, which the CSP blocks; axe.load
    evaluates the source through the DevTools protocol instead (see axe.py)."""
    page.goto(live_server.url + "/", wait_until="load")
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="window.inlineRan = true;")
    assert page.evaluate("() => window.inlineRan === undefined")
    axe.load(page)
    assert page.evaluate("() => axe.version") == axe.AXE_VERSION


def test_the_patch_fails_loudly_on_an_axe_it_does_not_know():
    """A new axe whose heuristic moved must stop the sweep, not run it unpatched."""
    source = axe.source()
    assert axe.patch(source).count("return!1;") == source.count("return!1;") + 1
    with pytest.raises(axe.AxeSourceChanged):
        axe.patch(source.replace("isIconLigature:function()", "isIconLigature2:function()"))
    name = axe.icon_ligature_function(source)
    with pytest.raises(axe.AxeSourceChanged):
        axe.patch(source.replace(f"function {name}(e){{", f"function {name}(e,t){{"))


# --- the page list --------------------------------------------------------------------


def test_every_url_is_swept_or_excluded():
    missing = pages.unaccounted()
    assert not missing, (
        "URLs the accessibility sweep neither visits nor excludes: add each to VISITS "
        "(with the persona that reaches it) or to EXCLUDED with a reason, in "
        "tests/e2e/a11y_pages.py:\n" + "\n".join(missing)
    )
    stale = pages.stale()
    assert not stale, "in VISITS or EXCLUDED, but no URL pattern has the name (or both):\n" + (
        "\n".join(stale)
    )
    for reason in [*pages.EXCLUDED.values(), *pages.EXCLUDED_NAMESPACES.values()]:
        assert len(reason) > 15, reason


# --- the sweep -----------------------------------------------------------------------


@pytest.fixture
def sso_on(settings) -> None:
    """Single sign-on configured (as SSO_SERVER_URL would), so the login page shows its
    button and the gateway's confirmation page exists; nothing is asked of the gateway
    until that page's form is sent, which the sweep does not do."""
    oidc = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **oidc,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "درگاه ملی خدمات دولت هوشمند",
                    "client_id": "payam-portal",
                    "secret": "not-used",
                    "settings": {"server_url": "http://127.0.0.1:9/", "fetch_userinfo": True},
                }
            ],
        }
    }


def letter_code(username: str, subject_start: str) -> str:
    delivery = Delivery.objects.select_related("letter").get(
        recipient__owner__username=username, letter__subject__startswith=subject_start
    )
    return delivery.letter.tracking_code


def sent_code(subject_start: str) -> str:
    delivery = Delivery.objects.select_related("letter").get(
        letter__sender__owner__username="0012345679", letter__subject__startswith=subject_start
    )
    return delivery.letter.tracking_code


def _gateway_drafts() -> dict[str, object]:
    """The demo company's seeded system and technical person; a GSB/PGSB draft with
    every step but the permit letter filled (so step 6 lists what is missing), and
    an empty service-access permit draft."""
    from gateway_requests import request_types as rt
    from gateway_requests.models import OrgSystem, Service, TechnicalPerson
    from mailbox.services import mailbox_for_user
    from servicedesk import services as desk

    company = User.objects.get(username="10100123456")
    applicant = mailbox_for_user(user=company)
    system = OrgSystem.objects.filter(applicant=applicant).earliest("pk")
    person = TechnicalPerson.objects.filter(applicant=applicant).earliest("pk")
    service = Service.objects.filter(platform="gsb").earliest("pk")
    gsb = desk.request_create(actor=company, applicant=applicant, kind=rt.GSB_ACCESS)
    desk.request_update_data(
        actor=company,
        request=gsb,
        data={
            "route": "gsb",
            "service": rt.service_snapshot(service),
            "operator": "sitaad",
            "username": "",
            "no_username": True,
            "systems": [rt.system_snapshot(system)],
            "people": [rt.person_snapshot(person)],
        },
    )
    permit = desk.request_create(actor=company, applicant=applicant, kind=rt.SERVICE_PERMIT)
    return {
        "company_system": system.pk,
        "company_person": person.pk,
        "gsb_draft": gsb.tracking_code,
        "permit_draft": permit.tracking_code,
    }


@pytest.fixture
def demo(sso_on) -> pages.Demo:
    call_command("seed_demo", allow_production=True)
    citizen = User.objects.get(username="0012345679")
    profile = profile_of(citizen)
    assert profile is not None
    invoice = letter_code("0012345679", "صورت‌حساب حق بیمه")
    values = {
        "password": DEMO_PASSWORD,
        "letter_with_pdf": invoice,
        "letter_reply_allowed": letter_code("0012345679", "درخواست مدارک تکمیلی"),
        "letter_thread": letter_code("0012345679", "پاسخ سازمان"),
        "letter_summons": letter_code("0012345679", "ابلاغیه‌ی الکترونیکی"),
        "company_letter": letter_code("10100123456", "نتیجه‌ی رسیدگی"),
        "sent_answered": sent_code("درخواست تقسیط"),
        "sent_delivered": sent_code("درخواست گواهی سوابق"),
        "agency_mailbox": Mailbox.objects.get(
            kind=MailboxKind.AGENCY, display_name="سازمان امور مالیاتی کشور"
        ).pk,
        "verify": (
            invoice,
            Delivery.objects.get(letter__tracking_code=invoice).letter.verification_code,
        ),
        "search": "مالیات",
        "email_token": signing.dumps(
            {"user": citizen.pk, "email": "ali.rezaei@example.ir", "state": email_state(profile)},
            salt=EMAIL_TOKEN_SALT,
        ),
        # The first step of each form, passed as a newcomer would pass it (people the
        # demo has no account for: رضا کریمی; زهرا حسینی and her company).
        "pending_natural": natural_registration_start(
            national_code="0034567895",
            birth_date=date(1988, 11, 2),
            mobile="09193456789",
            ip="127.0.0.1",
        ),
        "pending_legal": legal_registration_start(
            national_id="10100234560",
            registration_number="487210",
            ceo_national_code="0045678911",
            ceo_birth_date=date(1979, 5, 30),
            ceo_first_name="زهرا",
            ceo_last_name="حسینی",
            ceo_father_name="مهدی",
            ceo_gender="female",
            mobile="09364567890",
            phone="02188001234",
            email="info@sepehr.example",
            ip="127.0.0.2",
        ),
        "pending_recovery": recovery_start(
            username="0012345679", mobile="09121234567", ip="127.0.0.3"
        ),
    }
    # علی has named مریم his proxy, and she has not answered yet: his page lists the
    # invitation, hers asks her to accept or decline.
    proxy_grant(
        actor=citizen,
        national_code="0023456787",
        mobile="09123456789",
        scope=ProxyScope.READ,
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    # One letter starred and one archived, so the lists show both flags switched on.
    for subject_start, flags in (
        ("صورت‌حساب حق بیمه", {"starred": True}),
        ("یادآوری", {"archived": True}),
    ):
        delivery = Delivery.objects.get(
            recipient__owner=citizen, letter__subject__startswith=subject_start
        )
        delivery_set_flags(actor=citizen, delivery=delivery, **flags)
    # علی has let the Tehran office view and print his letters (one live delegation,
    # and one the clerk recorded that waits for his code); رضا کریمی stands at the
    # counter to have his inbox activated.
    clerk = User.objects.get(username="broker.clerk")
    for status, key in (
        (DelegationStatus.ACTIVE, "delegation"),
        (DelegationStatus.PENDING, "pending_delegation"),
    ):
        delegation = Delegation(
            office=BrokerOffice.objects.get(code="11001"),
            owner=citizen,
            mailbox=Mailbox.objects.get(owner=citizen),
            scope=DelegationScope.VIEW_PRINT,
            letters=DelegationLetters.ALL,
            expires_at=timezone.now() + timedelta(days=30),
            status=status,
            scan_content_type="application/pdf",
            scan_sha256="0" * 64,
            created_by=clerk,
        )
        delegation.scan.save("request.pdf", ContentFile(tiny_pdf(["Signed request"])), save=False)
        delegation.save()
        values[key] = delegation.pk
    # The company's service desk: the demo's sent request and draft, and a ticket.
    company = User.objects.get(username="10100123456")
    desk_requests = DeskRequest.objects.filter(applicant__owner=company)
    values["desk_submitted"] = desk_requests.get(status="submitted").tracking_code
    values["desk_draft"] = desk_requests.get(status="draft").tracking_code
    values["desk_ticket"] = ticket_open(
        actor=company, subject="بارگذاری نامه", category="technical", text="پرونده بالا نمی‌رود"
    ).tracking_code
    # A letter علی wrote to the tax organization that nobody there has answered yet,
    # for the incoming desk of its admin.
    values["incoming_unanswered"] = letter_write(
        actor=citizen,
        to=Mailbox.objects.get(kind=MailboxKind.AGENCY, display_name="سازمان امور مالیاتی کشور"),
        subject="درخواست اصلاح نشانی پرونده‌ی مالیاتی",
        text="با سلام،\n\nخواهشمند است نشانی پرونده‌ی مالیاتی اینجانب اصلاح شود.",
    ).tracking_code
    values["incoming_reply"] = sent_code("پاسخ: درخواست مدارک تکمیلی")
    values["pending_activation"] = activation_lookup(
        actor=clerk, national_code="0034567895", birth_date=date(1988, 11, 2)
    )
    values.update(_gateway_drafts())  # after the desk's own draft was looked up
    expert = User.objects.get(username="ito.expert")
    sign_in_with_second_factor(Client(), expert)  # its authenticator app, set up
    RecoveryCodes.activate(expert)
    values.update(_agency_registrations(expert))
    values.update(_agency_campaigns(citizen))
    values.update(_agency_webhook())
    values.update(_agency_broadcasts(expert))
    return pages.Demo(values)


def _agency_broadcasts(expert: User) -> dict[str, object]:
    """The tax organization's crisis notices: one to Tehran the expert confirmed
    (its banner tops the citizen's pages while it is unread) and one to everyone
    waiting for an expert."""
    from agencies.services.broadcasts import broadcast_confirm, broadcast_create

    admin = User.objects.get(username="ag0067891233")
    agency = Agency.objects.get(mailbox__display_name="سازمان امور مالیاتی کشور")
    sent = broadcast_create(
        actor=admin,
        agency=agency,
        subject="هشدار سیلاب در تهران",
        text="تا اطلاع بعدی از تردد در حاشیه‌ی رودخانه‌ها خودداری کنید.",
        provinces=["tehran"],
    )
    broadcast_confirm(actor=expert, broadcast_id=sent.pk)
    awaiting = broadcast_create(
        actor=admin,
        agency=agency,
        subject="تعطیلی ادارات فردا",
        text="به دلیل آلودگی هوا، ادارات دولتی فردا تعطیل است.",
    )
    return {"broadcast_sent": sent.code, "broadcast_awaiting": awaiting.code}


def _agency_webhook() -> dict[str, object]:
    """The tax organization's webhook address (only sms.delivered, so the sweep's
    reads post nothing) and one event that gave up after a 500, for its log and
    «ارسال دوباره»."""
    from agencies.models import WebhookAttempt, WebhookEvent
    from agencies.services import webhook_endpoint_create

    admin = User.objects.get(username="ag0067891233")
    agency = Agency.objects.get(mailbox__display_name="سازمان امور مالیاتی کشور")
    endpoint = webhook_endpoint_create(
        actor=admin, agency=agency, url="http://127.0.0.1:9/payam/webhook", events=["sms.delivered"]
    ).endpoint
    now = timezone.now()
    event = WebhookEvent.objects.create(
        agency=agency,
        endpoint=endpoint,
        event_type="sms.delivered",
        payload={"sms_id": 1, "recipient": "0912***4567"},
        status="dead",
        attempts=1,
        give_up_at=now,
        last_status_code=500,
        last_error="HTTP 500: internal error",
        last_attempt_at=now,
    )
    WebhookAttempt.objects.create(event=event, url=endpoint.url, status_code=500, duration_ms=12)
    return {"webhook": endpoint.pk, "webhook_event": event.event_id}


def _agency_campaigns(citizen: User) -> dict[str, object]:
    """The tax organization's campaigns: one its admin (فاطمه نوری) has still to
    confirm, one of another member's above the threshold that waits for her
    approval, and one sent, which علی has read and مریم has not."""
    admin = User.objects.get(username="ag0067891233")
    agency = Agency.objects.get(mailbox__display_name="سازمان امور مالیاتی کشور")
    colleague = User.objects.create_user(
        username="ag0045678911", first_name="زهرا", last_name="حسینی", kind=UserKind.STAFF
    )
    role_grant(actor=admin, user=colleague, role=Role.AGENCY_SENDER, organization=agency)
    rows = "national_code,name,amount\n0012345679,علی رضایی,1200\n0023456787,مریم احمدی,3400\n"

    def compose(actor: User, data: str, **extra: Any) -> Campaign:
        return campaign_create(
            actor=actor,
            agency=agency,
            subject="اعلام بدهی مالیاتی {name}",
            body="{name} گرامی،\n\nبدهی مالیاتی شما {amount} ریال است.",
            category="notice",
            csv_file=SimpleUploadedFile("list.csv", data.encode(), content_type="text/csv"),
            **extra,
        )

    draft = compose(admin, rows)
    many = "national_code,name,amount\n" + "".join(
        f"{code},شهروند,{n}\n"
        for n, code in enumerate(unused_national_codes(settings.CAMPAIGN_APPROVAL_THRESHOLD + 1))
    )
    awaiting = campaign_confirm(actor=colleague, campaign=compose(colleague, many))
    sent = campaign_confirm(actor=admin, campaign=compose(admin, rows))
    sent.refresh_from_db()
    assert sent.letter is not None, sent.status
    reader = Client()  # علی opens it in his inbox
    reader.force_login(citizen, backend=BACKEND)
    opened = reader.get(reverse("mailbox:letter", args=[sent.letter.tracking_code]))
    assert opened.status_code == 200, opened
    assert Delivery.objects.get(letter=sent.letter, recipient__owner=citizen).first_read_at
    return {
        "campaign_draft": draft.code,
        "campaign_awaiting": awaiting.code,
        "campaign_sent": sent.code,
        "campaign_letter": sent.letter.tracking_code,
    }


def _agency_registrations(expert: User) -> dict[str, object]:
    """The demo's pending application; one sent back to its representative; the
    steps of a newcomer's registration (رضا کریمی for a ministry's office), and
    its draft, once the registries confirmed him."""
    pending = AgencyApplication.objects.get(national_id=PENDING_NATIONAL_ID)
    returned = AgencyApplication.objects.get(pk=pending.pk)
    returned.pk, returned.tracking_code = None, issue(kind=TrackingKind.AGENCY_REGISTRATION)
    returned.national_id, returned.name = "14000567898", "اداره‌ی کل راه و شهرسازی البرز"
    returned.save()
    application_return(
        actor=expert,
        application_id=returned.pk,
        deficiencies=["نامه‌ی معرفی نماینده پیوست نشده است.", "نشانی ناقص است."],
    )
    agency = AgencyInfo(
        name="اداره‌ی کل ثبت اسناد استان قم",
        kind="provincial",
        parent_body="سازمان ثبت اسناد و املاک کشور",
        national_id="14000678906",
        province="qom",
        city="قم",
        address="قم، بلوار امین",
        phone="02532900000",
        website="https://qom.ssaa.ir",
        email_domain="ssaa.ir",
    )
    representative = RepresentativeInfo(
        national_code="0034567895",
        birth_date=date(1988, 11, 2),
        first_name="رضا",
        last_name="کریمی",
        position="کارشناس فناوری اطلاعات",
        mobile="09193456789",
        email="r.karimi@ssaa.ir",
    )
    draft = application_start(agency=agency, representative=representative, ip="127.0.0.4")
    return {
        "agency_pending": pending.tracking_code,
        "agency_returned": returned.tracking_code,
        "agency_returned_pk": returned.pk,
        "agency_step": agency.to_session(),
        "representative_step": representative.to_session(),
        "agency_draft": draft.pk,
    }


def persona_session(persona: str) -> str:
    """A session of the persona, signed in as the portal's login would leave it."""
    username = pages.PERSONAS[persona]
    if username is None:
        session = SessionStore()
        session.create()
        return str(session.session_key)
    user = User.objects.get(username=username)
    client = Client()
    if user.kind == UserKind.STAFF:
        sign_in_with_second_factor(client, user)  # password and authenticator code
    else:
        client.force_login(user, backend=BACKEND)
    # …who has just typed the password again, as the pages of the second factor ask
    # before they open (allauth's reauthentication, good for five minutes).
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "password", username=user.username, reauthenticated=True)
    request.session.save()
    if persona == pages.PROXY:
        grant = ProxyGrant.objects.get(
            proxy=user, mailbox__owner__username="10100123456", status=ProxyStatus.ACTIVE
        )
        response = client.post(reverse("mailbox:proxy_act", args=[grant.pk]))
        assert response.status_code == 302, response
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.fixture
def contexts(browser: Browser, live_server) -> Iterator[list[tuple[str, int, BrowserContext]]]:
    """One context per language and width; the persona's session is added later."""
    made = []
    for language in LANGUAGES:
        for width in WIDTHS:
            phone = width < 600
            context = browser.new_context(
                locale="fa-IR" if language == "fa" else "en-GB",
                viewport={"width": width, "height": 844 if phone else 900},
                is_mobile=phone,
                has_touch=phone,
            )
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
            context.add_init_script(axe.script())  # in every page: no evaluate per page
            made.append((language, width, context))
    try:
        yield made
    finally:
        for _language, _width, context in made:
            context.close()


class SessionOf:
    """The tab's current Django session (its key changes when someone signs in)."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context

    def __call__(self) -> SessionStore:
        for cookie in self.context.cookies():
            if cookie["name"] == settings.SESSION_COOKIE_NAME:
                return SessionStore(session_key=cookie["value"])
        raise AssertionError("the tab has no session")


def visit_url(visit: pages.Visit, demo: pages.Demo) -> str:
    if visit.path:
        return visit.path
    url = reverse(visit.name, kwargs=visit.args(demo) if visit.args else None)
    if visit.query:
        url += "?" + pages.QUERIES[visit.query](demo)
    return url


class Findings:
    """Violations grouped by what is wrong, each with the pages it was found on: one
    colour fixed in the stylesheet mends hundreds of pages at once."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.pages = 0

    def add(self, where: str, problem: str) -> None:
        pages = self.problems.setdefault(problem, [])
        if where not in pages:
            pages.append(where)

    def add_violations(self, where: str, violations: list[axe.Violation]) -> None:
        for violation in violations:
            for node in violation.nodes:
                summary = " ".join(node["summary"].split())
                self.add(
                    where,
                    f"{violation.rule} ({violation.impact}): {node['html'][:200]}\n"
                    f"      {summary[:400]}",
                )

    def report(self) -> str:
        lines = []
        for problem, where in sorted(self.problems.items(), key=lambda item: -len(item[1])):
            shown = ", ".join(where[:6]) + (f" … ({len(where)} in all)" if len(where) > 6 else "")
            lines.append(f"- {problem}\n      on: {shown}")
        return f"{len(self.problems)} problem(s) on {self.pages} page views:\n" + "\n".join(lines)


def sweep(persona: str, demo: pages.Demo, contexts, base_url: str) -> Findings:
    findings = Findings()
    visits = [visit for visit in pages.VISITS if visit.persona == persona]
    assert visits, persona
    for language, width, context in contexts:
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": persona_session(persona),
                    "url": base_url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        here = pages.Here(page=page, base_url=base_url, session=SessionOf(context), demo=demo)
        for visit in visits:
            if visit.widths and width not in visit.widths:
                continue
            where = f"{language}/{width} {visit.name or visit.path}" + (
                f" ({visit.state})" if visit.state else ""
            )
            findings.pages += 1
            if visit.prepare:
                visit.prepare(here)
            url = visit_url(visit, demo)
            response = page.goto(base_url + url, wait_until="load")
            if visit.act:
                visit.act(here)
            else:
                status = response.status if response else 0
                if status != visit.status:
                    findings.add(where, f"status {status}, expected {visit.status}: {url}")
                    continue
            path = urlsplit(page.url).path
            if visit.name and resolve(path).view_name != visit.shows:
                findings.add(where, f"{url} ended at {path}")
                continue
            lang = page.locator("html").get_attribute("lang")
            if lang != language:
                findings.add(where, f"<html lang={lang}> on a {language} page")
            findings.add_violations(where, axe.run(page))
            if visit.name in SHOTS and not visit.state and (language, width) in SHOT_AT:
                save_screenshot(page, f"a11y-{persona}-{language}-{width}-{pages.slug(visit.name)}")
        page.close()
    return findings


@pytest.mark.parametrize("persona", list(pages.PERSONAS))
def test_every_page_passes_axe(persona: str, demo: pages.Demo, contexts, live_server):
    findings = sweep(persona, demo, contexts, live_server.url)
    assert not findings.problems, findings.report()
