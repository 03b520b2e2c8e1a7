"""Proxies (وکالت): a person names another to read their inbox."""

import hmac
import logging
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import NaturalPerson, User, UserKind
from accounts.selectors import profile_of
from payam import ratelimit
from payam.audit import audit_record
from payam.identifiers import clean_national_code
from payam.phone import normalize_mobile
from payam.text import localized_digits, name_initials
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.exceptions import SmsError
from sms.services import sms_queue

from ..constants import (
    PROXY_LIVE_PER_MAILBOX,
    PROXY_LOOKUPS_PER_IP_PER_HOUR,
    PROXY_LOOKUPS_PER_OWNER_PER_DAY,
    PROXY_LOOKUPS_PER_TARGET_PER_DAY,
    PROXY_MAX_DAYS,
    PROXY_TRANSITIONS,
    MailboxKind,
    ProxyScope,
    ProxyStatus,
    ReaderRole,
)
from ..exceptions import (
    InvalidProxy,
    InvalidProxyTransition,
    ProxyInboxNotActive,
    ProxyLookupLimit,
    ProxyNotFound,
)
from ..models import (
    Delivery,
    Letter,
    Mailbox,
    ProxyGrant,
)
from ..permissions import Actor, has_active_inbox, may_reply
from ..selectors import inbox_access
from .mailboxes import mailbox_for_user

logger = logging.getLogger("payam.mailbox")


# --- proxies (وکالت) -----------------------------------------------------------------------------


def _proxy_may_answer(
    actor: Actor, grant: ProxyGrant, *, sender: Mailbox, in_reply_to: Letter | None
) -> bool:
    """A proxy sends only replies, from the owner's mailbox, to a letter
    delivered there that the grant covers and lets them answer."""
    if in_reply_to is None or grant.mailbox_id != sender.pk:
        return False
    delivery = (
        Delivery.objects.select_related("letter", "recipient")
        .filter(letter=in_reply_to, recipient=sender)
        .first()
    )
    return delivery is not None and may_reply(
        actor, delivery, acting_as=ReaderRole.PROXY, grant=grant
    )


def _end_of_day(day: date) -> datetime:
    """The last moment of `day` in Tehran, as an aware instant."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(
        microseconds=1
    )


def _tell(user: User | None, text: str, *, key: str) -> None:
    """After the commit, an SMS to a person's verified mobile about their
    proxies: who may read their inbox is their business whatever their letter
    notification preferences say."""
    profile = profile_of(user)
    if profile is None or not profile.mobile:
        return
    mobile = profile.mobile

    def send() -> None:
        try:
            sms_queue(
                sender=SYSTEM_SENDER,
                to=mobile,
                body=text,
                kind=SmsKind.NOTIFICATION,
                idempotency_key=key,
            )
        except SmsError:
            logger.exception("Could not queue the proxy notice %s", key)

    transaction.on_commit(send)


# Compared with a typed mobile when no registered person has the national code,
# so the comparison costs the same either way. No mobile is ever written like this.
_NO_MOBILE = "+98" + "0" * 10


def _count_lookup(*, owner: User, national_code: str, ip: str | None) -> None:
    """Count one try at naming a proxy, before anyone is looked up: per owner and
    per named national code a day, per client address an hour. Raises
    ProxyLookupLimit."""
    checks = [
        (f"proxy:ip:{ip or 'unknown'}", PROXY_LOOKUPS_PER_IP_PER_HOUR, 3600),
        (f"proxy:owner:{owner.pk}", PROXY_LOOKUPS_PER_OWNER_PER_DAY, 86400),
        (f"proxy:target:{national_code}", PROXY_LOOKUPS_PER_TARGET_PER_DAY, 86400),
    ]
    for key, limit, window in checks:
        verdict = ratelimit.hit(key=key, limit=limit, window_seconds=window)
        if not verdict.allowed:
            raise ProxyLookupLimit(verdict.retry_after)


def _known_person(*, national_code: str, mobile: str, birth_date: date | None) -> User:
    """The registered natural person with this national code whose verified mobile
    is `mobile` and (or) whose birth date is `birth_date` — every one given must
    match. One query and the same comparisons whether or not anyone has the code;
    anything else is the one ProxyNotFound."""
    user = (
        User.objects.select_related("naturalperson")
        .filter(username=national_code, kind=UserKind.NATURAL, is_active=True)
        .first()
    )
    profile = profile_of(user)
    person = profile if isinstance(profile, NaturalPerson) else None
    known_mobile = person.mobile if person is not None else _NO_MOBILE
    known_birth = person.birth_date.isoformat() if person is not None else ""
    mobile_ok = hmac.compare_digest(known_mobile.encode(), (mobile or _NO_MOBILE).encode())
    birth_ok = hmac.compare_digest(
        known_birth.encode(), (birth_date.isoformat() if birth_date else "").encode()
    )
    if (
        user is None
        or person is None
        or not ((mobile_ok or not mobile) and (birth_ok or not birth_date))
    ):
        raise ProxyNotFound
    return user


def proxy_grant(
    *,
    actor: Actor,
    national_code: str,
    scope: ProxyScope | str,
    expires_on: date,
    mobile: str = "",
    birth_date: date | None = None,
    agency: Mailbox | None = None,
    ip: str | None = None,
) -> ProxyGrant:
    """The owner of an active inbox names a proxy: a registered natural person
    with an active inbox of their own, who may read their letters — and answer
    them with the wider scope — perhaps only those of one agency, until the end
    of `expires_on` (Tehran). The proxy must accept before it starts.

    Naming someone looks them up by national code, so the owner must also give
    their verified mobile or their birth date (or both: each given must match),
    every try is counted first (ProxyLookupLimit), and a code nobody has or
    details that differ get the one ProxyNotFound. Only then is the person told
    by SMS, and the owner sees only their masked name («م*** ا***») — also in
    ProxyInboxNotActive when the person's own inbox is not active. Raises
    PermissionDenied (no active inbox of one's own) or InvalidProxy."""
    if not isinstance(actor, User) or not inbox_access(user=actor).may_read:
        raise PermissionDenied
    if scope not in ProxyScope.values:
        raise InvalidProxy(_("دامنه‌ی وکالت معتبر نیست."), field="scope")
    try:
        code = clean_national_code(national_code)
    except ValidationError:
        raise InvalidProxy(_("کد ملی وکیل معتبر نیست؛ رقم‌ها را دوباره بررسی کنید.")) from None
    if code == actor.username:
        raise InvalidProxy(_("نمی‌توانید خودتان را وکیل کارپوشه‌ی خود کنید."))
    today = timezone.localdate()
    if expires_on <= today:
        raise InvalidProxy(_("تاریخ پایان وکالت باید پس از امروز باشد."), field="expires_on")
    if expires_on > today + timedelta(days=PROXY_MAX_DAYS):
        raise InvalidProxy(
            _("وکالت را حداکثر برای %(days)s روز می‌توان داد.")
            % {"days": localized_digits(PROXY_MAX_DAYS)},
            field="expires_on",
        )
    if agency is not None and agency.kind != MailboxKind.AGENCY:
        raise InvalidProxy(_("دستگاه انتخاب‌شده معتبر نیست."), field="agency")
    if mobile:
        try:
            mobile = normalize_mobile(mobile)
        except ValidationError as exc:
            raise InvalidProxy(exc.messages[0], field="mobile") from None
    elif birth_date is None:
        raise InvalidProxy(_("شماره‌ی همراه یا تاریخ تولد وکیل را بنویسید."), field="mobile")
    _count_lookup(owner=actor, national_code=code, ip=ip)
    proxy = _known_person(national_code=code, mobile=mobile, birth_date=birth_date)
    if not has_active_inbox(proxy):
        raise ProxyInboxNotActive(masked_name=name_initials(proxy.display_name))
    mailbox = mailbox_for_user(user=actor)
    now = timezone.now()
    with transaction.atomic():
        # One writer at a time per mailbox, so two tabs cannot name the same proxy twice.
        Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
        live = ProxyGrant.objects.filter(
            mailbox=mailbox,
            status__in=[ProxyStatus.PENDING, ProxyStatus.ACTIVE],
            expires_at__gt=now,
        )
        if live.filter(proxy=proxy).exists():
            raise InvalidProxy(
                _("این شخص هم‌اکنون وکیل شماست یا دعوت شما در انتظار پذیرش اوست."), field=None
            )
        if live.count() >= PROXY_LIVE_PER_MAILBOX:
            raise InvalidProxy(
                _("بیش از %(count)s وکیل هم‌زمان نمی‌توانید داشته باشید.")
                % {"count": localized_digits(PROXY_LIVE_PER_MAILBOX)},
                field=None,
            )
        grant = ProxyGrant.objects.create(
            mailbox=mailbox,
            proxy=proxy,
            scope=scope,
            agency=agency,
            expires_at=_end_of_day(expires_on),
            created_by=actor,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="proxy.grant",
            target=grant,
            data={
                "proxy": proxy.username,
                "proved_by": [k for k, v in (("mobile", mobile), ("birth_date", birth_date)) if v],
                "scope": str(scope),
                "agency": agency.pk if agency else None,
                "expires_on": expires_on.isoformat(),
            },
        )
        _tell(
            proxy,
            _(
                "پیام ایران: %(owner)s شما را وکیل کارپوشه‌ی خود کرده است. برای پذیرش یا "
                "نپذیرفتن به بخش «وکالت‌ها» در کارپوشه‌ی خود بروید."
            )
            % {"owner": mailbox.label},
            key=f"proxy:{grant.pk}:grant",
        )
    return grant


def _may_move(actor: User, grant: ProxyGrant, to: str) -> bool:
    is_proxy = grant.proxy_id == actor.pk
    is_owner_ = grant.mailbox.owner_id == actor.pk
    if to in (ProxyStatus.ACTIVE, ProxyStatus.DECLINED):
        return is_proxy
    if to == ProxyStatus.REVOKED:
        # The owner ends it at any time; the proxy may give up an accepted one.
        return is_owner_ or (is_proxy and grant.status == ProxyStatus.ACTIVE)
    return False


def proxy_transition(*, actor: Actor, grant_id: int, to: ProxyStatus | str) -> ProxyGrant:
    """Move a proxy grant along PROXY_TRANSITIONS: the proxy accepts (not after
    it expired, and only with an active inbox of their own) or declines an
    invitation; the owner revokes at once, or the
    proxy gives it up. Revocation takes effect on the proxy's next request: every
    page checks the grant again. Raises PermissionDenied (neither the owner nor
    the proxy, or a move that is not theirs) or InvalidProxyTransition."""
    if not isinstance(actor, User) or not actor.is_active:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        grant = (
            ProxyGrant.objects.select_for_update(of=("self",))
            .select_related("mailbox", "mailbox__owner", "proxy")
            .filter(pk=grant_id)
            .first()
        )
        if grant is None or actor.pk not in (grant.proxy_id, grant.mailbox.owner_id):
            raise PermissionDenied
        if to not in PROXY_TRANSITIONS[grant.status]:
            raise InvalidProxyTransition
        if not _may_move(actor, grant, to):
            raise PermissionDenied
        if to == ProxyStatus.ACTIVE and grant.expires_at <= now:
            raise InvalidProxyTransition(_("مهلت این وکالت پیش از پذیرش به پایان رسیده است."))
        if to == ProxyStatus.ACTIVE and not has_active_inbox(actor):
            raise InvalidProxyTransition(
                _(
                    "برای پذیرش وکالت، نخست کارپوشه‌ی خود را با احراز هویت حضوری در یکی از "
                    "دفاتر پیشخوان فعال کنید."
                )
            )
        previous = grant.status
        grant.status = to
        fields = ["status"]
        if to == ProxyStatus.ACTIVE:
            grant.accepted_at = now
            fields.append("accepted_at")
        else:
            grant.ended_at, grant.ended_by = now, actor
            fields += ["ended_at", "ended_by"]
        grant.save(update_fields=fields)
        owner = grant.mailbox.owner
        audit_record(
            actor=actor,
            action=f"proxy.{to}",
            target=grant,
            data={"from": previous, "proxy": grant.proxy.username},
        )
        by_owner = actor.pk == grant.mailbox.owner_id
        texts = {
            ProxyStatus.ACTIVE: _("پیام ایران: %(name)s وکالت کارپوشه‌ی شما را پذیرفت."),
            ProxyStatus.DECLINED: _("پیام ایران: %(name)s وکالت کارپوشه‌ی شما را نپذیرفت."),
            ProxyStatus.REVOKED: _("پیام ایران: %(name)s وکالت کارپوشه‌ی خود به شما را لغو کرد.")
            if by_owner
            else _("پیام ایران: %(name)s از وکالت کارپوشه‌ی شما کناره گرفت."),
        }
        # The owner learns the proxy's full name only once the proxy accepted.
        name = grant.mailbox.label if by_owner else grant.proxy_label
        _tell(
            grant.proxy if by_owner else owner,
            texts[ProxyStatus(to)] % {"name": name},
            key=f"proxy:{grant.pk}:{to}",
        )
    return grant
