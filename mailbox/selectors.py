"""Reads of the mailbox app, each scoped to the person asking.

A letter that is not in the asker's own mailbox does not exist for them:
`delivery_for` raises `Delivery.DoesNotExist` (a view answers 404), never
PermissionDenied, so a tracking code reveals nothing about other people."""

import hmac
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.constants import InboxStatus
from accounts.models import UserKind
from accounts.selectors import people_in_provinces, profile_of
from payam import tracking
from payam.text import ZWNJ, normalize_digits, normalize_text

from .constants import MailboxKind, ProxyStatus
from .content import letter_content_hash, verification_code
from .models import AccessRecord, Delivery, Letter, Mailbox, ProxyGrant
from .permissions import Actor, has_active_inbox, is_owner, proxy_may_read

logger = logging.getLogger("payam.mailbox")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_LIMIT = 100
MAX_SENDERS = 200  # senders offered in the inbox's filter
MAX_THREAD = 50  # letters shown in one conversation
MAX_GRANTS = 100  # proxy grants listed on the proxies page
MAX_ACCESS_ROWS = 100  # access records listed on a letter's page
T = TypeVar("T")
PERSON_USER_KINDS = frozenset({UserKind.NATURAL, UserKind.LEGAL})


def mailbox_of(*, user: Actor) -> Mailbox | None:
    if not user.is_authenticated:
        return None
    return Mailbox.objects.filter(owner=user).first()


def _owned_by(owner_id: int) -> QuerySet[Delivery]:
    # The owner's one mailbox as a scalar subquery, not a join: PostgreSQL then
    # walks delivery_inbox_idx for that recipient in order and stops at the page.
    mailbox = Mailbox.objects.filter(owner_id=owner_id).values("pk")[:1]
    return Delivery.objects.filter(recipient_id=Subquery(mailbox))


def _own(user: Actor) -> QuerySet[Delivery]:
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return Delivery.objects.none()
    return _owned_by(user.pk)


def _holds(user: Actor, grant: ProxyGrant) -> bool:
    """The grant is the user's own and live, and the user's own inbox is active."""
    return (
        user.is_authenticated
        and grant.proxy_id == user.pk
        and grant.is_live()
        and has_active_inbox(user)
    )


def _readable(user: Actor, grant: ProxyGrant | None = None) -> QuerySet[Delivery]:
    """The owner's own deliveries; with a proxy grant, those of the grant's
    mailbox that it covers — nothing at all unless it is the user's own live
    grant."""
    if grant is None:
        return _own(user)
    if not _holds(user, grant):
        return Delivery.objects.none()
    rows = Delivery.objects.filter(recipient_id=grant.mailbox_id)
    if grant.agency_id is not None:
        rows = rows.filter(letter__sender_id=grant.agency_id)
    return rows


# --- keyset cursor ---------------------------------------------------------------------------


def _cursor(at: datetime, pk: int) -> str:
    micros = (at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{pk}"


def encode_cursor(delivery: Delivery) -> str:
    """`<microseconds since 1970 UTC>.<id>` of the last row shown."""
    return _cursor(delivery.delivered_at, delivery.pk)


def decode_cursor(value: str) -> tuple[datetime, int] | None:
    """The (delivered_at, id) a cursor names, or None for anything malformed
    (which then shows the first page)."""
    micros, _sep, pk = (value or "").partition(".")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
        return None
    try:
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except OverflowError:
        return None


@dataclass(frozen=True)
class InboxPage:
    items: list[Delivery]
    next_cursor: str | None  # pass as `after` for the next (older) page; None on the last


def _day_start(value: date | datetime) -> datetime:
    """A date is a day in Tehran (what the person picked), as an aware instant."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.min))


# What a row of the inbox list shows (templates/mailbox/_row.html), and no more:
# not the letter's body, which may be long, nor the sender's mailbox.
INBOX_ROW_FIELDS = (
    "id",
    "delivered_at",
    "first_read_at",
    "archived",
    "starred",
    "recipient_id",
    "merge",
    "letter__id",
    "letter__tracking_code",
    "letter__sender_id",
    "letter__sender_name",
    "letter__subject",
    "letter__category",
    "letter__is_legal_notice",
    "letter__attachment_count",
)


def inbox(
    *,
    user: Actor,
    grant: ProxyGrant | None = None,
    unread: bool | None = None,
    sender: Mailbox | int | None = None,
    category: str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
    query: str | None = None,
    archived: bool | None = False,
    starred: bool | None = None,
    after: str | None = None,
    limit: int = 25,
) -> InboxPage:
    """The owner's deliveries, newest first, one page per call with a keyset
    cursor on (delivered_at, id): one query however long the page, with the
    letter and its sender joined. `archived=None` shows both; `date_to` is
    inclusive (a date means the whole day, Tehran time). `query` finds the words
    in the subject or the sender's name, or a tracking code."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = _readable(user, grant)
    if unread is not None:
        rows = rows.filter(first_read_at__isnull=unread)
    if archived is not None:
        rows = rows.filter(archived=archived)
    if starred is not None:
        rows = rows.filter(starred=starred)
    if sender is not None:
        rows = rows.filter(letter__sender_id=sender.pk if isinstance(sender, Mailbox) else sender)
    if category:
        rows = rows.filter(letter__category=category)
    if date_from is not None:
        rows = rows.filter(delivered_at__gte=_day_start(date_from))
    if date_to is not None:
        end = (
            date_to
            if isinstance(date_to, datetime)
            else _day_start(date_to + timedelta(days=1)) - timedelta(microseconds=1)
        )
        rows = rows.filter(delivered_at__lte=_day_start(end))
    if query:
        rows = rows.filter(_search(query))
    cursor = decode_cursor(after) if after else None
    if cursor is not None:
        at, pk = cursor
        rows = rows.filter(Q(delivered_at__lt=at) | Q(delivered_at=at, pk__lt=pk))
    page = list(
        rows.select_related("letter")
        .only(*INBOX_ROW_FIELDS)
        .order_by("-delivered_at", "-pk")[: limit + 1]
    )
    more = len(page) > limit
    items = [row.personalize() for row in page[:limit]]
    return InboxPage(items=items, next_cursor=encode_cursor(items[-1]) if more else None)


def _search(query: str) -> Q:
    """Subject or sender name containing the text (Arabic ي/ك and Persian
    digits folded like the stored text). On PostgreSQL the trigram indexes of
    migration 0002 serve these; elsewhere it is a plain scan of one inbox."""
    text = normalize_text(query)[:100]
    condition = Q(letter__subject__icontains=text) | Q(letter__sender_name__icontains=text)
    code = tracking.normalize(normalize_digits(text))
    if tracking.is_valid(code):
        condition |= Q(letter__tracking_code=code)
    return condition


def inbox_senders(*, user: Actor, grant: ProxyGrant | None = None) -> list[tuple[int, str]]:
    """(mailbox id, name) of everyone who has sent a letter to the reader's
    inbox, by name: the choices of the inbox's sender filter. Kept in the cache
    per inbox owner like the unread count, and dropped with it when letters
    arrive (services.forget_inbox_caches); a proxy limited to one agency sees
    only that agency."""
    if grant is None:
        if not user.is_authenticated or not getattr(user, "is_active", False):
            return []
        owner_id = user.pk
    else:
        if not _holds(user, grant) or grant.mailbox.owner_id is None:
            return []
        owner_id = grant.mailbox.owner_id

    def compute() -> list[tuple[int, str]]:
        rows = (
            _owned_by(owner_id)
            .values_list(
                "letter__sender_id", "letter__sender__display_name", "letter__sender__identifier"
            )
            .distinct()
            .order_by("letter__sender__display_name", "letter__sender_id")[:MAX_SENDERS]
        )
        return [(pk, name or identifier) for pk, name, identifier in rows]

    senders = _cached(senders_cache_key(owner_id), compute)
    if grant is not None and grant.agency_id is not None:
        senders = [(pk, name) for pk, name in senders if pk == grant.agency_id]
    return [(int(pk), str(name)) for pk, name in senders]


def unread_count(*, user: Actor) -> int:
    """Letters in the owner's inbox not yet opened (archived ones too)."""
    return _own(user).filter(first_read_at__isnull=True).count()


def person_mailboxes(*, provinces: "Sequence[str] | None") -> QuerySet[Mailbox]:
    """The mailboxes of the people a crisis notice reaches (everyone with an
    active inbox, or those of `provinces`: accounts.selectors.people_in_provinces),
    as a queryset for `letter_send(selection=…)` to stage in SQL."""
    owners = Q()
    for rows in people_in_provinces(provinces):
        owners |= Q(owner_id__in=rows.values("user_id"))
    return Mailbox.objects.filter(owners, kind__in=[MailboxKind.NATURAL, MailboxKind.LEGAL])


@dataclass(frozen=True)
class UrgentNotice:
    """An unread crisis notice for the banner atop the inbox pages."""

    tracking_code: str
    subject: str
    sender_name: str
    sent_at: datetime


URGENT_BANNER_MAX = 5  # notices the banner lists at once (the newest)


def urgent_unread(*, user: Actor) -> list[UrgentNotice]:
    """The owner's unread crisis notices, newest first: one probe of the partial
    index `delivery_urgent_unread_idx` (only unread urgent deliveries are in
    it), joined to their letters. One query."""
    rows = (
        _own(user)
        .filter(urgent=True, first_read_at__isnull=True)
        .order_by("-delivered_at", "-id")
        .values_list("letter__tracking_code", "letter__subject", "letter__sender_name",
                     "letter__sent_at")[:URGENT_BANNER_MAX]
    )  # fmt: skip
    return [UrgentNotice(*row) for row in rows]


def urgent_cache_key(user_id: int) -> str:
    return f"mailbox:urgent:{user_id}"


def urgent_unread_cached(*, user: Actor) -> list[UrgentNotice]:
    """`urgent_unread` for the banner of every page of a person, kept in the
    cache like the unread count and dropped with it (services.forget_inbox_caches):
    nothing is read when the person has no unread letter at all."""
    if not user.is_authenticated or not unread_count_cached(user=user):
        return []
    return list(_cached(urgent_cache_key(user.pk), lambda: urgent_unread(user=user)))


def unread_cache_key(user_id: int) -> str:
    return f"mailbox:unread:{user_id}"


def senders_cache_key(user_id: int) -> str:
    return f"mailbox:senders:{user_id}"


def inbox_version_key(user_id: int) -> str:
    """The version of the owner's inbox list: rendered lists are kept under it
    (mailbox.fragments) and every change of what the list shows drops it."""
    return f"mailbox:inbox-version:{user_id}"


def _cached(key: str, compute: Callable[[], T]) -> T:
    """`compute()` kept in the cache under `key` for INBOX_UNREAD_CACHE_SECONDS.
    A cache that is down costs the computation, never the page."""
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("The cache is unreachable; reading %s afresh", key, exc_info=True)
        return compute()
    if cached is not None:
        return cast(T, cached)
    value = compute()
    try:
        cache.set(key, value, settings.INBOX_UNREAD_CACHE_SECONDS)
    except Exception:
        logger.warning("Could not cache %s", key, exc_info=True)
    return value


def unread_count_cached(*, user: Actor) -> int:
    """`unread_count` for the header of every page: one query over the partial
    index `delivery_unread_idx`, then kept in the cache for
    INBOX_UNREAD_CACHE_SECONDS. New deliveries and the owner's first reads drop
    it after their commit (services.forget_inbox_caches), so the count is
    current; the expiry only bounds how stale it gets if a drop is lost. A cache
    that is down costs the query, never the page."""
    if not user.is_authenticated:
        return 0
    return int(_cached(unread_cache_key(user.pk), lambda: unread_count(user=user)))


def delivery_for(*, user: Actor, tracking_code: str, grant: ProxyGrant | None = None) -> Delivery:
    """The owner's delivery of the letter with this tracking code, with the
    letter, its sender, the letter it answers and its attachments. Anything
    else — a malformed code, someone else's letter — is Delivery.DoesNotExist."""
    code = tracking.normalize(tracking_code or "")
    if not tracking.is_valid(code):
        raise Delivery.DoesNotExist
    return (
        _readable(user, grant)
        .select_related("letter", "letter__sender", "letter__in_reply_to", "recipient")
        .prefetch_related("letter__attachments")
        .get(letter__tracking_code=code)
        .personalize()
    )


# --- who may read their inbox ------------------------------------------------------------------


class InboxState(StrEnum):
    NONE = "none"  # staff, or an account without a person profile: no inbox
    REGISTERED = "registered"  # registered, not yet activated in person at a broker office
    SUSPENDED = "suspended"
    ACTIVE = "active"


@dataclass(frozen=True)
class InboxAccess:
    state: InboxState
    waiting: int = 0  # unread letters, told to those who cannot read them yet

    @property
    def may_read(self) -> bool:
        return self.state == InboxState.ACTIVE


def inbox_access(*, user: Actor) -> InboxAccess:
    """Whether the person may open their inbox: only once a broker office has
    activated it (`inbox_status` active), and not while it is suspended. Those
    who may not read learn only how many letters wait; staff have no inbox."""
    if not user.is_authenticated or getattr(user, "kind", None) not in PERSON_USER_KINDS:
        return InboxAccess(InboxState.NONE)
    profile = profile_of(user)
    if profile is None:
        return InboxAccess(InboxState.NONE)
    if profile.inbox_status == InboxStatus.ACTIVE:
        return InboxAccess(InboxState.ACTIVE)
    state = (
        InboxState.SUSPENDED
        if profile.inbox_status == InboxStatus.SUSPENDED
        else InboxState.REGISTERED
    )
    return InboxAccess(state, waiting=unread_count(user=user))


# --- a conversation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadEntry:
    letter: Letter
    received: bool  # delivered to the reader (it has a page); otherwise the reader sent it
    current: bool = False


def letter_thread(
    *, user: Actor, delivery: Delivery, grant: ProxyGrant | None = None
) -> list[ThreadEntry]:
    """The conversation of `delivery`'s letter as its reader sees it
    (`mailbox_thread`): the owner, or a proxy within their grant — a proxy for
    one agency's letters sees that agency's side and the owner's."""
    if not (is_owner(user, delivery) if grant is None else proxy_may_read(user, delivery, grant)):
        return []
    only = None
    if grant is not None and grant.agency_id is not None:
        only = [grant.agency_id, delivery.recipient_id]
    return mailbox_thread(mailbox_id=delivery.recipient_id, letter=delivery.letter, senders=only)


def mailbox_thread(
    *, mailbox_id: int, letter: Letter, senders: list[int] | None = None
) -> list[ThreadEntry]:
    """The conversation of `letter` in the mailbox `mailbox_id`, oldest first:
    the letters it answers (following `in_reply_to` up) and the replies to it
    (down), but only those that mailbox can see — delivered to it or sent from
    it (and, with `senders`, sent by one of those). The walk stops at a letter
    it cannot see, so a reply someone else wrote to a letter sent to many is
    never shown. One query per step, at most MAX_THREAD letters.

    No check of who asks: callers pass a mailbox their reader may read (the
    owner's, an agency's for its members)."""
    theirs = Delivery.objects.filter(letter=OuterRef("pk"), recipient_id=mailbox_id)
    visible = (
        Letter.objects.annotate(received=Exists(theirs), merge=Subquery(theirs.values("merge")[:1]))
        .filter(Q(received=True) | Q(sender_id=mailbox_id))
        .defer("content_sha256")
    )
    if senders is not None:
        visible = visible.filter(sender_id__in=senders)
    seen = {letter.pk}
    above: list[Letter] = []
    parent_id = letter.in_reply_to_id
    while parent_id is not None and parent_id not in seen and len(seen) < MAX_THREAD:
        parent = visible.filter(pk=parent_id).first()
        if parent is None:
            break
        above.append(parent)
        seen.add(parent.pk)
        parent_id = parent.in_reply_to_id
    below: list[Letter] = []
    frontier = [letter.pk]
    while frontier and len(seen) < MAX_THREAD:
        replies = list(
            visible.filter(in_reply_to_id__in=frontier)
            .exclude(pk__in=seen)
            .order_by("sent_at", "pk")[: MAX_THREAD - len(seen)]
        )
        below.extend(replies)
        seen.update(reply.pk for reply in replies)
        frontier = [reply.pk for reply in replies]
    below.sort(key=lambda item: (item.sent_at, item.pk))
    for item in (*above, *below):
        values = item.merge  # type: ignore[attr-defined]
        if values:  # a campaign letter the reader received: their own values filled in
            Delivery(letter=item, merge=values).personalize()
    return (
        [ThreadEntry(item, received=item.received) for item in reversed(above)]  # type: ignore[attr-defined]
        + [ThreadEntry(letter, received=True, current=True)]
        + [ThreadEntry(item, received=item.received) for item in below]  # type: ignore[attr-defined]
    )


def letter_verify(*, tracking_code: str, verification: str) -> Letter | None:
    """The letter whose printed tracking code and verification code match, and
    whose stored content still hashes to what was sent; None otherwise (for
    /verify/: it shows who sent it and when, never the content)."""
    code = tracking.normalize(tracking_code or "")
    given = tracking.normalize(verification or "")
    if not tracking.is_valid(code):
        return None
    letter = (
        Letter.objects.select_related("in_reply_to")
        .prefetch_related("attachments")
        .filter(tracking_code=code)
        .first()
    )
    if letter is None:
        return None
    expected = verification_code(tracking_code=code, content_hash=letter.content_sha256)
    if not hmac.compare_digest(expected, given):
        return None
    if letter_content_hash(letter, letter.attachments.all()) != letter.content_sha256:
        return None
    return letter


# --- proxies and who accessed an inbox ------------------------------------------------------


def acting_grant(*, user: Actor, grant_id: int | str | None) -> ProxyGrant | None:
    """The user's own live proxy grant with this id, over an inbox that is still
    active (a suspended inbox is closed to its proxies too), held by someone whose
    own inbox is active (a proxy suspended later loses access); None otherwise.
    Read afresh on every request, so a revocation takes effect at once."""
    if not str(grant_id or "").isdigit() or not has_active_inbox(user):
        return None
    grant = (
        ProxyGrant.objects.select_related("mailbox", "mailbox__owner", "agency")
        .filter(pk=int(str(grant_id)), proxy_id=user.pk, status=ProxyStatus.ACTIVE)
        .first()
    )
    if grant is None or not grant.is_live() or grant.mailbox.owner is None:
        return None
    profile = profile_of(grant.mailbox.owner)
    if profile is None or profile.inbox_status != InboxStatus.ACTIVE:
        return None
    return grant


def _with_last_use(rows: QuerySet[ProxyGrant]) -> QuerySet[ProxyGrant]:
    uses = AccessRecord.objects.filter(
        grant_type=ProxyGrant._meta.label_lower,
        grant_id=Cast(OuterRef("pk"), output_field=CharField()),
    ).order_by("-at")
    return rows.annotate(
        last_used_at=Subquery(uses.values("at")[:1]),
        use_count=Subquery(
            uses.order_by().values("grant_id").annotate(n=Count("pk")).values("n")[:1]
        ),
    )


def proxy_grants_given(*, user: Actor) -> list[ProxyGrant]:
    """The proxies the owner has named, newest first, each with when it was last
    used (`last_used_at`) and how often (`use_count`)."""
    if not user.is_authenticated:
        return []
    rows = ProxyGrant.objects.filter(mailbox__owner=user).select_related("proxy", "agency")
    return list(_with_last_use(rows).order_by("-created_at", "-pk")[:MAX_GRANTS])


def proxy_grants_received(*, user: Actor) -> list[ProxyGrant]:
    """The grants naming this user as proxy, newest first, with the owner's mailbox."""
    if not user.is_authenticated:
        return []
    rows = ProxyGrant.objects.filter(proxy=user).select_related("mailbox", "agency")
    return list(rows.order_by("-created_at", "-pk")[:MAX_GRANTS])


def delivery_access_records(*, user: Actor, delivery: Delivery) -> list[AccessRecord]:
    """For the owner only: everyone else's views, downloads, prints and replies
    of this letter in their inbox, newest first."""
    if not is_owner(user, delivery):
        return []
    return list(
        AccessRecord.objects.filter(delivery=delivery)
        .select_related("user")
        .order_by("-at", "-pk")[:MAX_ACCESS_ROWS]
    )


@dataclass(frozen=True)
class AccessPage:
    items: list[AccessRecord]
    next_cursor: str | None


def inbox_access_log(*, user: Actor, after: str | None = None, limit: int = 50) -> AccessPage:
    """ "Who accessed my inbox": every access by someone other than the owner to
    any letter in the owner's mailbox, newest first, with keyset pages."""
    if not user.is_authenticated:
        return AccessPage([], None)
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = AccessRecord.objects.filter(delivery__recipient__owner=user)
    cursor = decode_cursor(after) if after else None
    if cursor is not None:
        at, pk = cursor
        rows = rows.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    page = list(rows.select_related("user", "letter").order_by("-at", "-pk")[: limit + 1])
    items = page[:limit]
    more = len(page) > limit
    return AccessPage(items, _cursor(items[-1].at, items[-1].pk) if more else None)


def agencies_for_filter() -> list[Mailbox]:
    """Agency mailboxes by name: the choices of a proxy's agency filter."""
    return list(
        Mailbox.objects.filter(kind=MailboxKind.AGENCY).order_by("display_name", "pk")[:MAX_SENDERS]
    )


# --- writing to agencies, and the letters a person sent --------------------------------------

DIRECTORY_CACHE_KEY = "mailbox:agency-directory:v1"  # bump when DirectoryAgency changes
DIRECTORY_CACHE_SECONDS = 300
# Persian alphabetical order (Unicode order puts پ چ ژ گ after ی); hamza forms as their letter.
_PERSIAN_ORDER = {ch: index for index, ch in enumerate("آاءأإبپتثجچحخدذرزژسشصضطظعغفقکگلمنوؤهةیئ")}
# For search only: what people type interchangeably. normalize_text already
# folds Arabic ي/ك/ى and digits; hamza carriers, the hamza above and the
# tatweel are folded here, and ZWNJ and spaces dropped (نیم‌فاصله, نیم فاصله
# and نیمفاصله are one word).
_SEARCH_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی", "ة": "ه", "\u0654": None, "ـ": None}
)


def search_fold(text: str) -> str:
    """A name or a search word reduced to what a search compares."""
    folded = normalize_text(text).translate(_SEARCH_FOLD).lower()
    return folded.replace(ZWNJ, "").replace(" ", "")


def _persian_sort_key(name: str) -> tuple[int, ...]:
    return tuple(_PERSIAN_ORDER.get(ch, 0x10000 + ord(ch)) for ch in normalize_text(name))


@dataclass(frozen=True)
class DirectoryAgency:
    """An agency people may write to, as the directory lists it."""

    pk: int
    name: str
    folded: str


def _accepting_agencies() -> list[DirectoryAgency]:
    """Every agency mailbox that takes letters from people, in Persian
    alphabetical order. The mailbox table holds one row per person; no index
    serves `kind = agency`, so the list (a few hundred rows) is read once and
    kept in the cache for DIRECTORY_CACHE_SECONDS; saving an agency mailbox
    drops it (receivers.forget_agency_directory). A cache that is down costs
    the query, never the page."""
    try:
        cached = cache.get(DIRECTORY_CACHE_KEY)
    except Exception:
        logger.warning("The cache is unreachable; reading the agency directory", exc_info=True)
        cached = None
    if isinstance(cached, list):
        return cached
    rows = Mailbox.objects.filter(kind=MailboxKind.AGENCY, accepts_letters=True).values_list(
        "pk", "display_name"
    )
    agencies = sorted(
        (DirectoryAgency(pk, name, search_fold(name)) for pk, name in rows if name),
        key=lambda agency: (_persian_sort_key(agency.name), agency.pk),
    )
    try:
        cache.set(DIRECTORY_CACHE_KEY, agencies, DIRECTORY_CACHE_SECONDS)
    except Exception:
        logger.warning("Could not cache the agency directory", exc_info=True)
    return agencies


def agency_directory(*, query: str = "") -> list[DirectoryAgency]:
    """The agencies people may write to, in Persian alphabetical order; with a
    query, those whose name holds every word of it, forgiving Arabic ي/ك,
    hamza forms, and ZWNJ or a space or nothing between the parts of a word."""
    agencies = _accepting_agencies()
    words = [word for word in (search_fold(w) for w in normalize_text(query)[:100].split()) if word]
    if not words:
        return agencies
    return [agency for agency in agencies if all(word in agency.folded for word in words)]


def agency_to_write_to(*, mailbox_id: int) -> Mailbox | None:
    """The agency mailbox with this id if it takes letters from people; None for
    anything else (an agency that takes none, a person's mailbox, no such id)."""
    return Mailbox.objects.filter(
        pk=mailbox_id, kind=MailboxKind.AGENCY, accepts_letters=True
    ).first()


class SentStatus(StrEnum):
    QUEUED = "queued"  # not yet in the recipient's mailbox (a letter being fanned out)
    DELIVERED = "delivered"
    READ = "read"  # opened in the agency's mailbox
    ANSWERED = "answered"  # the agency sent a letter in reply to it


@dataclass(frozen=True)
class SentLetter:
    """A letter the person sent, with what became of it."""

    letter: Letter
    to_name: str
    delivered_at: datetime | None
    read_at: datetime | None  # first opened in the recipient's mailbox
    answered_at: datetime | None  # the recipient's first letter in reply
    answer_code: str | None  # that answer's tracking code, when it reached the sender's inbox

    @property
    def status(self) -> SentStatus:
        if self.answered_at is not None:
            return SentStatus.ANSWERED
        if self.read_at is not None:
            return SentStatus.READ
        if self.delivered_at is not None:
            return SentStatus.DELIVERED
        return SentStatus.QUEUED


@dataclass(frozen=True)
class SentPage:
    items: list[SentLetter]
    next_cursor: str | None  # pass as `after` for the next (older) page; None on the last


def _sent(user: Actor) -> QuerySet[Letter]:
    """The letters sent from the user's own mailbox, each annotated in the same
    query with its first delivery (recipient's name, when), the first read of
    it, and the first answer — a letter in reply to it from one of its
    recipients — with that answer's tracking code when it reached the sender's
    mailbox. A person's letter has one recipient (an agency)."""
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return Letter.objects.none()
    deliveries = Delivery.objects.filter(letter_id=OuterRef("pk")).order_by("delivered_at", "pk")
    reads = (
        Delivery.objects.filter(letter_id=OuterRef("pk"), first_read_at__isnull=False)
        .order_by("first_read_at")
        .values("first_read_at")
    )
    answers = (
        Letter.objects.filter(in_reply_to_id=OuterRef("pk"))
        .filter(
            Exists(
                Delivery.objects.filter(
                    letter_id=OuterRef(OuterRef("pk")), recipient_id=OuterRef("sender_id")
                )
            )
        )
        .order_by("sent_at", "pk")
    )
    answers_received = answers.filter(
        Exists(
            Delivery.objects.filter(
                letter_id=OuterRef("pk"), recipient_id=OuterRef(OuterRef("sender_id"))
            )
        )
    )
    return Letter.objects.filter(sender__owner=user).annotate(
        to_name=Subquery(deliveries.values("recipient__display_name")[:1]),
        delivered=Subquery(deliveries.values("delivered_at")[:1]),
        read=Subquery(reads[:1]),
        answered=Subquery(answers.values("sent_at")[:1]),
        answer_code=Subquery(answers_received.values("tracking_code")[:1]),
    )


def _sent_letter(row: Letter) -> SentLetter:
    return SentLetter(
        letter=row,
        to_name=row.to_name or "",  # type: ignore[attr-defined]
        delivered_at=row.delivered,  # type: ignore[attr-defined]
        read_at=row.read,  # type: ignore[attr-defined]
        answered_at=row.answered,  # type: ignore[attr-defined]
        answer_code=row.answer_code,  # type: ignore[attr-defined]
    )


def sent_letters(*, user: Actor, after: str | None = None, limit: int = 25) -> SentPage:
    """The letters the person sent (new letters and replies), newest first, each
    with its status, one page per call with a keyset cursor on (sent_at, id):
    one query however long the page (letter_sender_idx serves it)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = _sent(user)
    cursor = decode_cursor(after) if after else None
    if cursor is not None:
        at, pk = cursor
        rows = rows.filter(Q(sent_at__lt=at) | Q(sent_at=at, pk__lt=pk))
    page = [_sent_letter(row) for row in rows.order_by("-sent_at", "-pk")[: limit + 1]]
    more = len(page) > limit
    items = page[:limit]
    last = items[-1].letter if items else None
    return SentPage(items, _cursor(last.sent_at, last.pk) if more and last else None)


def sent_letter_for(*, user: Actor, tracking_code: str) -> SentLetter:
    """A letter the person sent, by tracking code, with its status and its
    attachments (two queries). Anything else — a malformed code, a letter they
    received, someone else's letter — is Letter.DoesNotExist."""
    code = tracking.normalize(tracking_code or "")
    if not tracking.is_valid(code):
        raise Letter.DoesNotExist
    row = (
        _sent(user)
        .select_related("in_reply_to")
        .prefetch_related("attachments")
        .get(tracking_code=code)
    )
    return _sent_letter(row)


# --- the notices of a letter --------------------------------------------------------------------


def letter_sms_counts(letter: Letter) -> tuple[int, int]:
    """How many notice SMS of the letter were queued, and how many the operator
    reported delivered. A letter past LETTER_INLINE_RECIPIENTS sends them as one
    batch (`notifications.BULK_SMS_NAMESPACE`); a smaller one one by one, keyed
    `letter:<code>:<recipient>` (exact keys: the unique index, never a scan)."""
    from sms.constants import SYSTEM_SENDER, SmsStatus
    from sms.models import OutboundSMS

    from .services.notifications import BULK_SMS_NAMESPACE

    if letter.recipient_count > settings.LETTER_INLINE_RECIPIENTS:
        rows = OutboundSMS.objects.filter(
            batch_id=uuid.uuid5(BULK_SMS_NAMESPACE, letter.tracking_code)
        )
    else:
        recipients = Delivery.objects.filter(letter=letter).values_list("recipient_id", flat=True)
        keys = [f"letter:{letter.tracking_code}:{pk}" for pk in recipients]
        rows = OutboundSMS.objects.filter(sender__number=SYSTEM_SENDER, idempotency_key__in=keys)
    counts = rows.aggregate(
        queued=Count("id"), delivered=Count("id", filter=Q(status=SmsStatus.DELIVERED))
    )
    return counts["queued"], counts["delivered"]
