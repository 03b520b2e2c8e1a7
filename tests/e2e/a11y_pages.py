"""The pages the accessibility sweep visits, and the URLs it leaves out with a reason.

Every URL pattern of the portal (`django.urls.get_resolver()`, walked through every
include) must be either in VISITS — with the persona that reaches it, concrete
arguments from the demo data and, where a page needs it, the state it is in — or in
EXCLUDED / EXCLUDED_NAMESPACES with the reason it is not a page. A new URL that is
neither fails `test_every_url_is_swept_or_excluded`.

A pattern is known by its name (`namespace:name`); one without a name by its route
(all of them are redirects of allauth's old paths)."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from playwright.sync_api import FilePayload, Page

from accounts.views_profile import MOBILE_SESSION_KEY

# --- the URL configuration ------------------------------------------------------------


def pattern_key(namespace: str, pattern: URLPattern, prefix: str) -> str:
    if pattern.name:
        return f"{namespace}:{pattern.name}" if namespace else pattern.name
    return f"<unnamed {prefix}{pattern.pattern}>"


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, str]]:
    """(key, route, namespace) of every URL pattern, through every include."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from url_patterns(item, inner, prefix + str(item.pattern))
        else:
            yield pattern_key(namespace, item, prefix), f"{prefix}{item.pattern}", namespace


# --- what is not a page -------------------------------------------------------------------

POST_ONLY = "POST only: answers a form that is swept on the page that holds it ({})"
DOWNLOAD = "a file download, not a page ({})"

EXCLUDED_NAMESPACES: dict[str, str] = {
    "api": "the agencies' REST API: JSON for office-automation systems, not pages (its "
    "/api/v1/docs is django-ninja's Swagger UI, the library's own markup)",
    "admin": "Django's own admin, for the operators: not the portal's templates (it has "
    "only a stylesheet of ours); its accessibility is Django's",
}

EXCLUDED: dict[str, str] = {
    # Machines, not people.
    "healthz": "JSON for the load balancer",
    "favicon": "a redirect to the icon file",
    "set_language": POST_ONLY.format("the language switch in the header of every page"),
    "agency:api_key_revoke": POST_ONLY.format("agency:api_keys"),
    "agency:webhook_toggle": POST_ONLY.format("agency:webhooks (switch off / on)"),
    "agency:broadcast_cancel": POST_ONLY.format("agency:broadcast (call the notice off)"),
    "review:agency_broadcast": POST_ONLY.format("review:agency (the crisis-notice permission)"),
    "review:broadcast_confirm": POST_ONLY.format("review:broadcast (its confirmation step)"),
    "review:broadcast_reject": POST_ONLY.format("review:broadcast (the rejection form)"),
    "review:agency_api_limit": POST_ONLY.format("review:agency (the expert's API limit form)"),
    "sms:delivery_report": "webhook of the SMS gateways (POST, signed)",
    "sms:inbound": "webhook of the SMS gateways (POST, signed)",
    "sms:ussd_callback": "webhook of the USSD gateway (POST); answers in plain text",
    "sms:dev_outbox": "a developer's tool of `make run`, served only while DEBUG is on "
    "(404 otherwise); not part of the portal",
    "captcha-image": "the captcha's PNG image (its alternative text is swept on the forms)",
    "captcha-image-2x": "the captcha's PNG image at twice the size",
    "captcha-audio": "the captcha's sound file (django-simple-captcha's own; not linked)",
    "captcha-refresh": "JSON for the captcha's 'another code' button",
    "captcha_audio": "the spoken captcha's WAV file (its «شنیدن کد» button is swept on the forms)",
    "openid_connect_callback": "where the national gateway sends the browser back; "
    "redirects to the inbox or to socialaccount_login_error",
    # Writes: each form is swept on the page that shows it.
    "mailbox:flags": POST_ONLY.format("the star and archive buttons of mailbox:inbox"),
    "mailbox:proxy_stop": POST_ONLY.format("the acting banner, with the proxy persona"),
    "mailbox:proxy_act": POST_ONLY.format("mailbox:proxies of the proxy persona"),
    "mailbox:proxy_move": POST_ONLY.format("mailbox:proxies (accept, decline, revoke)"),
    "accounts:profile_notifications": POST_ONLY.format("accounts:profile"),
    "accounts:profile_province": POST_ONLY.format("accounts:profile (the province form)"),
    "accounts:landing": "a redirect to where sign-in lands (inbox or profile)",
    "review:agency_assign": POST_ONLY.format("review:agency (the assignment form)"),
    "review:agency_reject": POST_ONLY.format("review:agency; a refusal is swept there"),
    "review:agency_return": POST_ONLY.format("review:agency; a refusal is swept there"),
    "gateway:system_delete": POST_ONLY.format("gateway:systems (the delete buttons)"),
    "gateway:person_delete": POST_ONLY.format("gateway:people (the delete buttons)"),
    "gateway:gsb_edit": "a redirect to the first step of the GSB/PGSB wizard still to fill",
    "gateway:permit_edit": "a redirect to the first step of the permit wizard still to fill",
    "agency:member_revoke": POST_ONLY.format("agency:members (the revoke buttons)"),
    "agency:incoming_assign": POST_ONLY.format("agency:incoming (the assignment form)"),
    "agency:sms_send": POST_ONLY.format("agency:sms (its confirmation state)"),
    "brokers:activate_cancel": POST_ONLY.format(
        "the «start again» button of brokers:activate_check"
    ),
    "brokers:delegation_resend": POST_ONLY.format("brokers:delegation_confirm"),
    "brokers:delegation_abandon": POST_ONLY.format("brokers:delegation_confirm"),
    "brokers:letter_hand_over": POST_ONLY.format("brokers:letter (the clerk's letter page)"),
    "brokers:staff_revoke": POST_ONLY.format("brokers:staff (the manager's list of clerks)"),
    "brokers:my_delegation_revoke": POST_ONLY.format("brokers:my_delegations of the citizen"),
    "agency:campaign_act": POST_ONLY.format("agency:campaign (confirm, approve, call off)"),
    "agency:campaign_progress": "the progress fragment htmx polls into agency:campaign, "
    "swept there (the sent campaign's page holds it filled in)",
    # Files.
    "mailbox:attachment": DOWNLOAD.format("a letter's PDF attachment"),
    "mailbox:sent_attachment": DOWNLOAD.format("the attachment of a sent letter"),
    "agency:incoming_attachment": DOWNLOAD.format("the attachment of a letter the agency received"),
    "mailbox:pdf": DOWNLOAD.format("the letter as PDF; its HTML twin mailbox:print is swept"),
    "brokers:letter_pdf": DOWNLOAD.format("a letter printed at the counter, as PDF"),
    "brokers:reports_csv": DOWNLOAD.format("the office report as CSV; brokers:reports is swept"),
    "agency:letter_unread_csv": DOWNLOAD.format(
        "who has not read a letter, as CSV; agency:letter is swept"
    ),
    "mfa_download_recovery_codes": DOWNLOAD.format("the recovery codes as a text file"),
    "desk:submit": POST_ONLY.format("desk:request (send for review)"),
    "desk:withdraw": POST_ONLY.format("desk:request (withdraw)"),
    "desk:deficiencies": POST_ONLY.format("desk:request (the deficiencies' tick boxes)"),
    "desk:message": POST_ONLY.format("desk:request (the thread)"),
    "desk:detach": POST_ONLY.format("desk:general_edit (remove an attachment)"),
    "desk:ticket_close": POST_ONLY.format("desk:ticket"),
    "desk:attachment": DOWNLOAD.format("a request's attachment"),
    "desk:ticket_file": DOWNLOAD.format("a ticket's attachment"),
    "desk:permit": DOWNLOAD.format("an issued request's permit as PDF"),
    "review_desk:assign": POST_ONLY.format("review_desk:request (assignment)"),
    "review_desk:move": POST_ONLY.format("review_desk:request (the expert's moves)"),
    "review_desk:message": POST_ONLY.format("review_desk:request (the thread)"),
    "review_desk:ticket_close": POST_ONLY.format("review_desk:ticket"),
    "review_desk:attachment": DOWNLOAD.format("a request's attachment, for the expert"),
    "review_desk:ticket_file": DOWNLOAD.format("a ticket's attachment, for the expert"),
    # allauth views that the portal switches off or replaces.
    "account_signup": "shadowed by the redirect to accounts:register_natural",
    "account_email": "shadowed by the redirect to accounts:profile",
    "account_reset_password": "shadowed by the redirect to accounts:recover",
    "account_reset_password_done": "shadowed by the redirect to accounts:recover",
    "account_reset_password_from_key": "shadowed by the redirect to accounts:recover",
    "account_reset_password_from_key_done": "shadowed by the redirect to accounts:recover",
    "account_confirm_email": "shadowed by the redirect to accounts:profile (no e-mail "
    "verification through allauth; the profile has its own)",
    "account_email_verification_sent": "shadowed by the redirect to accounts:profile",
    "account_confirm_login_code": "login by code is off (ACCOUNT_LOGIN_BY_CODE_ENABLED); "
    "the view only redirects to the login page",
    "account_set_password": "every account has a password (registration sets one); "
    "allauth redirects to account_change_password, which is swept",
    "socialaccount_signup": "single sign-on never creates an account (SOCIALACCOUNT_AUTO_"
    "SIGNUP off, the adapter refuses); without a pending gateway login it redirects to login",
    "<unnamed accounts/signup/>": "a redirect to accounts:register_natural",
    "<unnamed api/v1/^.*$>": "the API's JSON 404 for any other path under /api/v1/",
    "<unnamed accounts/password/reset/>": "a redirect to accounts:recover",
    "<unnamed ^accounts/password/reset/(?:done|key/.*)/$>": "a redirect to accounts:recover",
    "<unnamed accounts/email/>": "a redirect to accounts:profile",
    "<unnamed ^accounts/confirm-email/>": "a redirect to accounts:profile",
    "<unnamed accounts/social/login/cancelled/>": "allauth's old path, a redirect",
    "<unnamed accounts/social/login/error/>": "allauth's old path, a redirect",
    "<unnamed accounts/social/signup/>": "allauth's old path, a redirect",
    "<unnamed accounts/social/connections/>": "allauth's old path, a redirect",
}


# --- the pages ----------------------------------------------------------------------------


@dataclass
class Demo:
    """What the visits need of the demo data (`seed_demo`), looked up once seeded."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass
class Here:
    """What a visit's `prepare` and `act` get: the tab, the persona's server-side
    session (to put a page's state in it, as the steps before would) and the demo."""

    page: Page
    base_url: str
    session: Callable[[], SessionBase]  # the tab's session as it is now
    demo: Demo


Step = Callable[[Here], None]


@dataclass(frozen=True)
class Visit:
    name: str  # the URL pattern's key (see pattern_key)
    persona: str
    args: Callable[[Demo], dict[str, Any]] | None = None
    query: str = ""
    state: str = ""  # what the page shows, for the report ("with errors", "found", …)
    prepare: Step | None = None  # before the page is opened
    act: Step | None = None  # on the page, before axe runs
    status: int = 200
    path: str = ""  # instead of `name`: a path no pattern matches (the 404 page)
    lands: str = ""  # the URL `act` ends at, when its form posts elsewhere
    widths: tuple[int, ...] = ()  # only at these widths (all when empty)

    @property
    def shows(self) -> str:
        """The URL pattern of the page that axe checks."""
        return self.lands or self.name


def _no_validation_submit(selector: str) -> Step:
    """Send the form as it is, without the browser's own checks (`required`), so the
    page answers with its error messages — what a screen reader user meets."""

    def step(here: Here) -> None:
        page = here.page
        form = page.locator(selector).first
        form.evaluate("form => { form.noValidate = true; }")
        with page.expect_navigation(wait_until="load"):
            form.locator("button[type=submit]").last.click()

    return step


def _fill_and_submit(selector: str, values: dict[str, str]) -> Step:
    def step(here: Here) -> None:
        page = here.page
        form = page.locator(selector).first
        for name, value in values.items():
            form.locator(f"[name={name}]").fill(value)
        form.evaluate("form => { form.noValidate = true; }")
        with page.expect_navigation(wait_until="load"):
            form.locator("button[type=submit]").last.click()

    return step


def _open_menu(here: Here) -> None:
    """At phone width the header's menu is folded; open it, as a person would."""
    here.page.locator(".navbar-toggler").click()
    # Bootstrap sets .show once the unfolding is over (.collapsing meanwhile).
    here.page.locator("#payam-nav.show").wait_for()


def _open_pages_menu(here: Here) -> None:
    """The header's «راهنما و پشتیبانی» menu, opened from the keyboard as a person
    would (at phone width the header's own menu first)."""
    page = here.page
    if page.locator(".navbar-toggler").is_visible():
        _open_menu(here)
    page.locator("[data-testid=header-pages-menu]").focus()
    page.keyboard.press("Enter")
    page.locator("[data-testid=header-pages].show").wait_for()


def _registration(kind: str, *, verified: bool) -> Step:
    """The session of a registration whose first step passed (and, with `verified`,
    whose code was accepted), as accounts.views keeps it."""

    def step(here: Here) -> None:
        pending = here.demo[f"pending_{kind}"]
        session = here.session()
        session[f"registration_{kind}"] = replace(pending, otp_verified=verified).to_session()
        session.save()

    return step


def _recovery(*, verified: bool) -> Step:
    def step(here: Here) -> None:
        pending = here.demo["pending_recovery"]
        session = here.session()
        session["password_recovery"] = replace(pending, otp_verified=verified).to_session()
        session.save()

    return step


def _mobile_change(here: Here) -> None:
    """A new mobile asked for on the profile: its code was sent."""
    session = here.session()
    session[MOBILE_SESSION_KEY] = {
        "user": int(session["_auth_user_id"]),
        "mobile": "+989123456780",
        "started_at": timezone.now().isoformat(),
    }
    session.save()


def _staff_password_step(here: Here) -> None:
    """The ITO expert's password accepted: the second step (the code) is asked."""
    page = here.page
    page.goto(f"{here.base_url}/accounts/login/", wait_until="load")
    page.locator("input[name=login]").fill("ito.expert")
    page.locator("input[name=password]").fill(here.demo["password"])
    page.locator("input[name=captcha_1]").fill("PASSED")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form:has([name=login]) button[type=submit]").click()


def _agency_registration(*steps: str) -> Step:
    """The session of an agency's registration whose `steps` passed, as
    agencies.views_register keeps it ("agency", "representative", "draft")."""

    def step(here: Here) -> None:
        session = here.session()
        state: dict[str, Any] = {"started_at": timezone.now().isoformat()}
        if "agency" in steps:
            state["agency"] = here.demo["agency_step"]
        if "representative" in steps:
            state["representative"] = here.demo["representative_step"]
        if "draft" in steps:
            state["application"] = here.demo["agency_draft"]
        session["agency_registration"] = state
        session.save()

    return step


def _activation(*, code_sent: bool) -> Step:
    """The clerk's activation under way: the registry answered (and, with
    `code_sent`, Shahkar confirmed the mobile and the code went out)."""

    def step(here: Here) -> None:
        pending = here.demo["pending_activation"]
        session = here.session()
        session["broker_activation"] = replace(
            pending, mobile="+989193456789" if code_sent else ""
        ).to_session()
        session.save()

    return step


def _agency_filed(here: Here) -> None:
    session = here.session()
    session["agency_filed"] = here.demo["agency_pending"]
    session.save()


def _agency_fix(*, found: bool = True, verified: bool | None = None) -> Step:
    """A returned application found by the status lookup and, with `verified`, its
    code asked (False) or accepted (True)."""

    def step(here: Here) -> None:
        session = here.session()
        session["agency_status"] = here.demo["agency_returned_pk"]
        if verified is not None:
            session["agency_fix"] = {
                "application": here.demo["agency_returned_pk"],
                "verified": verified,
            }
        session.save()

    return step


def _agency_lookup(here: Here) -> None:
    page = here.page
    form = page.locator("main form[method=post]").first
    form.locator("[name=tracking_code]").fill(here.demo["agency_returned"])
    form.locator("[name=mobile]").fill("09364567890")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()


# A campaign's list with one row that fails its checksum (line 3) and one without
# the amount the letter uses (line 4).
BROKEN_CAMPAIGN_CSV = (
    "national_code,name,amount\n0012345679,علی رضایی,1200\n0012345678,بد,1\n0023456787,مریم,\n"
).encode()


def _compose_refused(here: Here) -> None:
    """A CSV campaign whose rows are refused: the table of problems with their lines."""
    page = here.page
    form = page.locator("main form[method=post]").first
    upload: FilePayload = {
        "name": "list.csv",
        "mimeType": "text/csv",
        "buffer": BROKEN_CAMPAIGN_CSV,
    }
    form.locator("[name=csv_file]").set_input_files(files=upload)
    form.locator("[name=subject]").fill("قبض {name}")
    form.locator("[name=body]").fill("{name} گرامی، بدهی شما {amount} ریال است.")
    form.evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").last.click()
    page.locator("[data-testid=csv-problems]").wait_for()


def _code(key: str) -> Callable[[Demo], dict[str, Any]]:
    return lambda demo: {"tracking_code": demo[key]}


def _notice(key: str) -> Callable[[Demo], dict[str, Any]]:
    return lambda demo: {"code": demo[key]}


def _step(key: str, step: int) -> Callable[[Demo], dict[str, Any]]:
    return lambda demo: {"tracking_code": demo[key], "step": step}


ANONYMOUS, CITIZEN, COMPANY, PROXY = "anonymous", "citizen", "company", "proxy"
EXPERT, CLERK, ADMIN = "ito-expert", "broker-clerk", "admin"
AGENCY = "agency-admin"
MANAGER = "broker-manager"

VISITS: tuple[Visit, ...] = (
    # --- anyone ------------------------------------------------------------------------
    Visit("home", ANONYMOUS),
    Visit("home", ANONYMOUS, state="menu open", act=_open_menu, widths=(390,)),
    Visit("pages:about", ANONYMOUS),
    Visit("pages:rules", ANONYMOUS),
    Visit("pages:faq", ANONYMOUS),
    Visit("pages:support", ANONYMOUS),
    Visit("pages:contact", ANONYMOUS),
    Visit("pages:register", ANONYMOUS),
    Visit("pages:about", ANONYMOUS, state="help menu open", act=_open_pages_menu),
    Visit("letter_verify", ANONYMOUS),
    Visit("letter_verify", ANONYMOUS, state="genuine", query="verify_genuine"),
    Visit("letter_verify", ANONYMOUS, state="not found", query="verify_unknown"),
    Visit("letter_verify", ANONYMOUS, state="with errors", query="verify_invalid"),
    Visit("sms:sender_check", ANONYMOUS),
    Visit("sms:sender_check", ANONYMOUS, state="official", query="sender_official"),
    Visit("sms:sender_check", ANONYMOUS, state="not official", query="sender_unknown"),
    Visit("account_login", ANONYMOUS),
    Visit(
        "account_login",
        ANONYMOUS,
        state="wrong password",
        act=_fill_and_submit(
            "main form:has([name=login])",
            {"login": "0078901235", "password": "not-the-password", "captcha_1": "PASSED"},
        ),
    ),
    Visit("accounts:register_natural", ANONYMOUS),
    Visit(
        "accounts:register_natural",
        ANONYMOUS,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit(
        "accounts:register_natural_verify",
        ANONYMOUS,
        prepare=_registration("natural", verified=False),
    ),
    Visit(
        "accounts:register_natural_password",
        ANONYMOUS,
        prepare=_registration("natural", verified=True),
    ),
    Visit("accounts:register_legal", ANONYMOUS),
    Visit(
        "accounts:register_legal",
        ANONYMOUS,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit(
        "accounts:register_legal_verify", ANONYMOUS, prepare=_registration("legal", verified=False)
    ),
    Visit(
        "accounts:register_legal_password", ANONYMOUS, prepare=_registration("legal", verified=True)
    ),
    Visit("accounts:recover", ANONYMOUS),
    Visit(
        "accounts:recover",
        ANONYMOUS,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit("accounts:recover_verify", ANONYMOUS, prepare=_recovery(verified=False)),
    Visit(
        "accounts:recover_verify",
        ANONYMOUS,
        state="wrong code",
        prepare=_recovery(verified=False),
        act=_fill_and_submit("main form[method=post]:has([name=code])", {"code": "000000"}),
    ),
    Visit("accounts:recover_password", ANONYMOUS, prepare=_recovery(verified=True)),
    Visit("account_inactive", ANONYMOUS),
    Visit("openid_connect_login", ANONYMOUS, args=lambda demo: {"provider_id": "sso"}),
    Visit("socialaccount_login_cancelled", ANONYMOUS),
    Visit("socialaccount_login_error", ANONYMOUS, status=401),  # allauth answers 401
    Visit("", ANONYMOUS, path="/no-such-page/", state="404", status=404),
    # --- an agency's registration ---------------------------------------------------
    Visit("agencies:register", ANONYMOUS),
    Visit(
        "agencies:register",
        ANONYMOUS,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit("agencies:register_representative", ANONYMOUS, prepare=_agency_registration("agency")),
    Visit(
        "agencies:register_terms",
        ANONYMOUS,
        prepare=_agency_registration("agency", "representative"),
    ),
    Visit(
        "agencies:register_terms",
        ANONYMOUS,
        state="empty form sent",
        prepare=_agency_registration("agency", "representative"),
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit(
        "agencies:register_verify",
        ANONYMOUS,
        prepare=_agency_registration("agency", "representative", "draft"),
    ),
    Visit("agencies:register_done", ANONYMOUS, prepare=_agency_filed),
    Visit("agencies:register_status", ANONYMOUS),
    Visit("agencies:register_status", ANONYMOUS, state="returned, found", act=_agency_lookup),
    Visit("agencies:register_fix", ANONYMOUS, prepare=_agency_fix()),
    Visit("agencies:register_fix_verify", ANONYMOUS, prepare=_agency_fix(verified=False)),
    Visit("agencies:register_fix_edit", ANONYMOUS, prepare=_agency_fix(verified=True)),
    # Last: it signs the tab half in (the password step of the ITO expert).
    Visit("mfa_authenticate", ANONYMOUS, prepare=_staff_password_step),
    # --- a citizen, علی رضایی -------------------------------------------------------
    Visit("mailbox:inbox", CITIZEN),
    Visit("pages:faq", CITIZEN),
    Visit("mailbox:inbox", CITIZEN, state="filtered", query="inbox_filtered"),
    Visit("mailbox:starred", CITIZEN),
    Visit("mailbox:archived", CITIZEN),
    Visit("mailbox:letter", CITIZEN, args=_code("letter_with_pdf"), state="with a PDF"),
    Visit("mailbox:letter", CITIZEN, args=_code("letter_reply_allowed"), state="reply form"),
    Visit(
        "mailbox:letter",
        CITIZEN,
        args=_code("letter_reply_allowed"),
        state="empty reply sent",
        act=_no_validation_submit("main form:has([name=body])"),
        lands="mailbox:reply",
    ),
    Visit("mailbox:letter", CITIZEN, args=_code("letter_thread"), state="a thread"),
    Visit("mailbox:letter", CITIZEN, args=_code("letter_summons"), state="legal notice"),
    Visit("mailbox:print", CITIZEN, args=_code("letter_with_pdf")),
    Visit("mailbox:access_log", CITIZEN),
    Visit("brokers:my_delegations", CITIZEN),
    Visit("mailbox:proxies", CITIZEN),
    Visit(
        "mailbox:proxies",
        CITIZEN,
        state="empty form sent",
        act=_no_validation_submit("main form:has([name=national_code])"),
        lands="mailbox:proxy_new",
    ),
    Visit("mailbox:agencies", CITIZEN),
    Visit("mailbox:write", CITIZEN, args=lambda demo: {"mailbox_id": demo["agency_mailbox"]}),
    Visit(
        "mailbox:write",
        CITIZEN,
        args=lambda demo: {"mailbox_id": demo["agency_mailbox"]},
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit("mailbox:sent", CITIZEN),
    Visit("mailbox:sent_letter", CITIZEN, args=_code("sent_answered"), state="answered"),
    Visit("mailbox:sent_letter", CITIZEN, args=_code("sent_delivered"), state="delivered"),
    Visit("accounts:profile", CITIZEN),
    Visit(
        "accounts:profile",
        CITIZEN,
        state="e-mail refused",
        act=_fill_and_submit("main form:has([name=email])", {"email": "not-an-address"}),
        lands="accounts:profile_email",
    ),
    Visit(
        "accounts:profile",
        CITIZEN,
        state="mobile refused",
        act=_fill_and_submit("main form:has([name=mobile])", {"mobile": "12345"}),
        lands="accounts:profile_mobile",
    ),
    Visit("accounts:profile_logins", CITIZEN),
    Visit("accounts:profile_mobile_verify", CITIZEN, prepare=_mobile_change),
    Visit(
        "accounts:profile_email_confirm",
        CITIZEN,
        args=lambda demo: {"token": demo["email_token"]},
    ),
    Visit(
        "accounts:profile_email_confirm",
        CITIZEN,
        args=lambda demo: {"token": "not-a-token"},
        state="broken link",
        status=400,
    ),
    Visit("account_change_password", CITIZEN),
    Visit(
        "account_change_password",
        CITIZEN,
        state="with errors",
        act=_fill_and_submit(
            "main form[method=post]",
            {"oldpassword": "not-my-password", "password1": "x", "password2": "y"},
        ),
    ),
    Visit("mfa_index", CITIZEN),
    Visit("mfa_activate_totp", CITIZEN),
    Visit("usersessions_list", CITIZEN),
    Visit("socialaccount_connections", CITIZEN),
    Visit("account_logout", CITIZEN),
    Visit("account_reauthenticate", CITIZEN),
    Visit("", CITIZEN, path="/inbox/no-such-letter/", state="404", status=404),
    # --- the company, شرکت نوآوران پارس, signed in itself ---------------------------------
    Visit("mailbox:inbox", COMPANY),
    Visit("mailbox:letter", COMPANY, args=_code("company_letter")),
    Visit("mailbox:proxies", COMPANY),
    Visit("mailbox:access_log", COMPANY),
    Visit("accounts:profile", COMPANY),
    # its gateway lists and the two wizards (drafts made for the sweep)
    Visit("gateway:catalog", ANONYMOUS),
    Visit("gateway:catalog", COMPANY, state="searched", query="catalog_search"),
    Visit("gateway:systems", COMPANY),
    Visit("gateway:system_edit", COMPANY, args=lambda demo: {"pk": demo["company_system"]}),
    Visit("gateway:people", COMPANY),
    Visit("gateway:person_edit", COMPANY, args=lambda demo: {"pk": demo["company_person"]}),
    *(
        Visit("gateway:gsb_step", COMPANY, args=_step("gsb_draft", n), state=f"step {n}")
        for n in range(1, 7)
    ),
    *(
        Visit("gateway:permit_step", COMPANY, args=_step("permit_draft", n), state=f"step {n}")
        for n in range(1, 4)
    ),
    # --- مریم احمدی, acting for the company as its proxy ------------------------------
    Visit("mailbox:inbox", PROXY),
    Visit("mailbox:letter", PROXY, args=_code("company_letter")),
    Visit("mailbox:proxies", PROXY),
    Visit("accounts:profile", PROXY),
    # --- staff: the ITO expert and the broker-office clerk land on the profile today --
    Visit("accounts:profile", EXPERT),
    Visit("mfa_index", EXPERT),
    Visit("mfa_reauthenticate", EXPERT),
    Visit("mfa_view_recovery_codes", EXPERT),
    Visit("mfa_generate_recovery_codes", EXPERT),
    Visit("mfa_deactivate_totp", EXPERT),
    Visit("review:desk", EXPERT),
    Visit("review:agencies", EXPERT),
    Visit("review:agencies", EXPERT, state="filtered", query="review_filtered"),
    Visit("review:agency", EXPERT, args=_code("agency_pending"), state="pending"),
    Visit(
        "review:agency",
        EXPERT,
        args=_code("agency_pending"),
        state="approval refused",
        act=_fill_and_submit("main form:has([name=sender_number])", {"sender_number": "3000"}),
        lands="review:agency_approve",
        status=200,
    ),
    Visit("review:agency", EXPERT, args=_code("agency_returned"), state="returned"),
    Visit("review:broadcasts", EXPERT),
    Visit("review:broadcast", EXPERT, args=_notice("broadcast_awaiting"), state="awaiting"),
    Visit(
        "review:broadcast",
        EXPERT,
        args=_notice("broadcast_awaiting"),
        query="broadcast_confirm_step",
        state="confirmation step",
    ),
    Visit("review:broadcast", EXPERT, args=_notice("broadcast_sent"), state="sent"),
    Visit("review_desk:queue", EXPERT),
    Visit("review_desk:queue", EXPERT, state="filtered", query="desk_queue_filtered"),
    Visit("review_desk:request", EXPERT, args=_code("desk_submitted"), state="submitted"),
    Visit("review_desk:tickets", EXPERT),
    Visit("review_desk:ticket", EXPERT, args=_code("desk_ticket")),
    # --- the company's service desk -------------------------------------------------------
    Visit("desk:home", COMPANY),
    Visit("desk:new", COMPANY),
    Visit("desk:new", COMPANY, state="area chosen", query="desk_area"),
    Visit("desk:request", COMPANY, args=_code("desk_submitted"), state="submitted"),
    Visit("desk:request", COMPANY, args=_code("desk_draft"), state="draft"),
    Visit("desk:general_edit", COMPANY, args=_code("desk_draft")),
    Visit("desk:tickets", COMPANY),
    Visit("desk:ticket_new", COMPANY),
    Visit(
        "desk:ticket_new",
        COMPANY,
        state="empty form sent",
        act=_no_validation_submit("main form:has([name=subject])"),
    ),
    Visit("desk:ticket", COMPANY, args=_code("desk_ticket")),
    Visit("desk:home", CITIZEN, state="not a legal person", status=403),
    Visit("desk:verify", ANONYMOUS),
    Visit("desk:verify", ANONYMOUS, state="not found", query="desk_verify_unknown"),
    Visit("accounts:profile", CLERK),
    # --- an agency's admin, فاطمه نوری of the tax organization ---------------------
    Visit("agency:home", AGENCY),
    Visit("agency:compose", AGENCY),
    Visit(
        "agency:compose",
        AGENCY,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit("agency:compose", AGENCY, state="rows refused", act=_compose_refused),
    Visit(
        "agency:campaign",
        AGENCY,
        args=lambda demo: {"code": demo["campaign_draft"]},
        state="draft, to confirm",
    ),
    Visit(
        "agency:campaign",
        AGENCY,
        args=lambda demo: {"code": demo["campaign_awaiting"]},
        state="awaiting the second member",
    ),
    Visit(
        "agency:campaign",
        AGENCY,
        args=lambda demo: {"code": demo["campaign_sent"]},
        state="sent, with its progress",
    ),
    Visit("agency:letter", AGENCY, args=_code("campaign_letter"), state="one read, one not"),
    Visit("agency:members", AGENCY),
    Visit(
        "agency:members",
        AGENCY,
        state="empty form sent",
        act=_no_validation_submit("main form:has([name=national_code])"),
    ),
    Visit("agency:inbox", AGENCY),
    Visit("agency:inbox", AGENCY, state="unanswered, none found", query="incoming_none"),
    Visit("agency:incoming", AGENCY, args=_code("incoming_unanswered"), state="to answer"),
    Visit("agency:incoming", AGENCY, args=_code("incoming_reply"), state="a reply, answered"),
    Visit("agency:incoming_answer", AGENCY, args=_code("incoming_unanswered")),
    Visit(
        "agency:incoming_answer",
        AGENCY,
        args=_code("incoming_unanswered"),
        state="empty form sent",
        act=_no_validation_submit("main form:has([name=body])"),
    ),
    Visit("agency:api_keys", AGENCY),
    Visit("agency:webhooks", AGENCY, state="an address and a dead event"),
    Visit(
        "agency:webhooks",
        AGENCY,
        state="empty form sent",
        act=_no_validation_submit("main form:has([name=url])"),
    ),
    Visit("agency:webhook_secret", AGENCY, args=lambda demo: {"endpoint_id": demo["webhook"]}),
    Visit("agency:webhook_delete", AGENCY, args=lambda demo: {"endpoint_id": demo["webhook"]}),
    Visit("agency:webhook_resend", AGENCY, args=lambda demo: {"event_id": demo["webhook_event"]}),
    Visit("agency:broadcasts", AGENCY),
    Visit(
        "agency:broadcasts",
        AGENCY,
        state="empty form sent",
        act=_no_validation_submit("main form[data-testid=broadcast-form]"),
    ),
    Visit(
        "agency:broadcasts",
        AGENCY,
        state="counted, to send for confirmation",
        act=_fill_and_submit(
            "main form[data-testid=broadcast-form]",
            {"subject": "قطعی برق", "text": "برق منطقه‌ی ۵ امشب دو ساعت قطع است."},
        ),
    ),
    Visit("agency:broadcast", AGENCY, args=_notice("broadcast_awaiting"), state="awaiting"),
    Visit("agency:broadcast", AGENCY, args=_notice("broadcast_sent"), state="sent"),
    Visit("agency:sms", AGENCY),
    Visit(
        "agency:sms",
        AGENCY,
        state="empty form sent",
        act=_no_validation_submit("main form[data-testid=sms-form]"),
    ),
    Visit(
        "agency:sms",
        AGENCY,
        state="confirmation",
        act=_fill_and_submit(
            "main form[data-testid=sms-form]",
            {"body": "مهلت پرداخت عوارض تا پایان آذر است.", "mobile": "09121234567"},
        ),
    ),
    # --- the broker-office clerk, کامران صادقی, at the Tehran counter ----------------
    Visit("brokers:workspace", CLERK),
    Visit(
        "brokers:workspace",
        CLERK,
        state="nobody found",
        act=_fill_and_submit("main form[method=post]", {"national_code": "0045678911"}),
    ),
    Visit("brokers:activate", CLERK),
    Visit(
        "brokers:activate",
        CLERK,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit("brokers:activate_check", CLERK, prepare=_activation(code_sent=False)),
    Visit("brokers:activate_code", CLERK, prepare=_activation(code_sent=True)),
    Visit("brokers:delegation_new", CLERK),
    Visit(
        "brokers:delegation_new",
        CLERK,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit(
        "brokers:delegation_confirm",
        CLERK,
        args=lambda demo: {"delegation_id": demo["pending_delegation"]},
    ),
    Visit("brokers:delegation", CLERK, args=lambda demo: {"delegation_id": demo["delegation"]}),
    Visit(
        "brokers:letter",
        CLERK,
        args=lambda demo: {
            "delegation_id": demo["delegation"],
            "tracking_code": demo["letter_with_pdf"],
        },
    ),
    Visit("brokers:reports", CLERK),
    # --- the office's manager, نرگس کاظمی ---------------------------------------------
    Visit("brokers:reports", MANAGER),
    Visit("brokers:staff", MANAGER),
    Visit(
        "brokers:staff",
        MANAGER,
        state="empty form sent",
        act=_no_validation_submit("main form[method=post]"),
    ),
    Visit("accounts:profile", ADMIN),
)

# Query strings of the visits (a visit names one by key; the values need the demo).
QUERIES: dict[str, Callable[[Demo], str]] = {
    "catalog_search": lambda demo: "q=%D8%B4%D8%A7%D9%87%DA%A9%D8%A7%D8%B1&platform=gsb",
    "verify_genuine": lambda demo: f"t={demo['verify'][0]}&v={demo['verify'][1]}",
    "verify_unknown": lambda demo: "t=0000000000&v=000000",
    "verify_invalid": lambda demo: "t=!!&v=",
    "sender_official": lambda demo: "number=4040",
    "sender_unknown": lambda demo: "number=09121234567",
    "inbox_filtered": lambda demo: "q=" + demo["search"],
    "review_filtered": lambda demo: "status=&province=alborz&older_than=&assigned=none",
    "desk_queue_filtered": lambda demo: "kind=egov_general&status=&applicant=&min_age=1",
    "desk_area": lambda demo: "area=security",
    "desk_verify_unknown": lambda demo: f"t={demo['desk_submitted']}&v=AAAAAAAA",
    "incoming_none": lambda demo: "view=unanswered&q=" + demo["search"],
    "broadcast_confirm_step": lambda demo: "step=confirm",
}

PERSONAS: dict[str, str | None] = {
    ANONYMOUS: None,
    CITIZEN: "0012345679",
    COMPANY: "10100123456",
    PROXY: "0023456787",
    EXPERT: "ito.expert",
    CLERK: "broker.clerk",
    MANAGER: "broker.manager",
    ADMIN: "admin",
    AGENCY: "ag0067891233",
}


def swept_keys() -> set[str]:
    return {key for visit in VISITS for key in (visit.name, visit.lands) if key}


def unaccounted() -> list[str]:
    """URL patterns that the sweep neither visits nor excludes with a reason."""
    missing = []
    for key, route, namespace in url_patterns():
        outermost = namespace.split(":", 1)[0]
        if key in swept_keys() or key in EXCLUDED or outermost in EXCLUDED_NAMESPACES:
            continue
        missing.append(f"{key}  ({route})")
    return missing


def stale() -> list[str]:
    """Names in VISITS or EXCLUDED that no URL pattern has any more, or in both."""
    keys = {key for key, _route, _namespace in url_patterns()}
    return sorted((swept_keys() | set(EXCLUDED)) - keys) + sorted(swept_keys() & set(EXCLUDED))


SAFE_NAME = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return SAFE_NAME.sub("-", text.lower()).strip("-")
