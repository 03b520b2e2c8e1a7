"""Reads of the mailbox app, each scoped to the person asking.

A letter that is not in the asker's own mailbox does not exist for them:
`delivery_for` raises `Delivery.DoesNotExist` (a view answers 404), never
PermissionDenied, so a tracking code reveals nothing about other people."""

import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.constants import InboxStatus
from accounts.models import UserKind
from accounts.selectors import profile_of
from payam import tracking
from payam.text import normalize_digits, normalize_text

from .content import canonical_content, content_sha256, verification_code
from .models import Delivery, Letter, Mailbox
from .permissions import Actor, is_owner

logger = logging.getLogger("payam.mailbox")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_LIMIT = 100
MAX_SENDERS = 200  # senders offered in the inbox's filter
MAX_THREAD = 50  # letters shown in one conversation
PERSON_USER_KINDS = frozenset({UserKind.NATURAL, UserKind.LEGAL})


def mailbox_of(*, user: Actor) -> Mailbox | None:
    if not user.is_authenticated:
        return None
    return Mailbox.objects.filter(owner=user).first()


def _own(user: Actor) -> QuerySet[Delivery]:
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return Delivery.objects.none()
    return Delivery.objects.filter(recipient__owner=user)


# --- keyset cursor ---------------------------------------------------------------------------


def encode_cursor(delivery: Delivery) -> str:
    """`<microseconds since 1970 UTC>.<id>` of the last row shown."""
    micros = (delivery.delivered_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{delivery.pk}"


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


def inbox(
    *,
    user: Actor,
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
    rows = _own(user)
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
        rows.select_related("letter", "letter__sender").order_by("-delivered_at", "-pk")[
            : limit + 1
        ]
    )
    more = len(page) > limit
    items = page[:limit]
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


def inbox_senders(*, user: Actor) -> list[tuple[int, str]]:
    """(mailbox id, name) of everyone who has sent a letter to the reader's
    inbox, by name: the choices of the inbox's sender filter."""
    rows = (
        _own(user)
        .values_list(
            "letter__sender_id", "letter__sender__display_name", "letter__sender__identifier"
        )
        .distinct()
        .order_by("letter__sender__display_name", "letter__sender_id")[:MAX_SENDERS]
    )
    return [(pk, name or identifier) for pk, name, identifier in rows]


def unread_count(*, user: Actor) -> int:
    """Letters in the owner's inbox not yet opened (archived ones too)."""
    return _own(user).filter(first_read_at__isnull=True).count()


def unread_cache_key(user_id: int) -> str:
    return f"mailbox:unread:{user_id}"


def unread_count_cached(*, user: Actor) -> int:
    """`unread_count` for the header of every page: one query over the partial
    index `delivery_unread_idx`, then kept in the cache for
    INBOX_UNREAD_CACHE_SECONDS. New deliveries and the owner's first reads drop
    it after their commit (services.forget_unread_counts), so the count is
    current; the expiry only bounds how stale it gets if a drop is lost. A cache
    that is down costs the query, never the page."""
    if not user.is_authenticated:
        return 0
    key = unread_cache_key(user.pk)
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("The cache is unreachable; counting unread letters", exc_info=True)
        return unread_count(user=user)
    if isinstance(cached, int):
        return cached
    count = unread_count(user=user)
    try:
        cache.set(key, count, settings.INBOX_UNREAD_CACHE_SECONDS)
    except Exception:
        logger.warning("Could not cache the unread count", exc_info=True)
    return count


def delivery_for(*, user: Actor, tracking_code: str) -> Delivery:
    """The owner's delivery of the letter with this tracking code, with the
    letter, its sender, the letter it answers and its attachments. Anything
    else — a malformed code, someone else's letter — is Delivery.DoesNotExist."""
    code = tracking.normalize(tracking_code or "")
    if not tracking.is_valid(code):
        raise Delivery.DoesNotExist
    return (
        _own(user)
        .select_related("letter", "letter__sender", "letter__in_reply_to", "recipient")
        .prefetch_related("letter__attachments")
        .get(letter__tracking_code=code)
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


def letter_thread(*, user: Actor, delivery: Delivery) -> list[ThreadEntry]:
    """The conversation of `delivery`'s letter, oldest first: the letters it
    answers (following `in_reply_to` up) and the replies to it (down), but only
    those the reader can see — delivered to their mailbox or sent from it. The
    walk stops at a letter they cannot see, so a reply someone else wrote to a
    letter sent to many is never shown. One query per step, at most MAX_THREAD
    letters."""
    if not is_owner(user, delivery):
        return []
    mailbox_id = delivery.recipient_id
    letter = delivery.letter
    visible = (
        Letter.objects.annotate(
            received=Exists(Delivery.objects.filter(letter=OuterRef("pk"), recipient_id=mailbox_id))
        )
        .filter(Q(received=True) | Q(sender_id=mailbox_id))
        .defer("content_sha256")
    )
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
    if content_sha256(letter_canonical_content(letter)) != letter.content_sha256:
        return None
    return letter


def letter_canonical_content(letter: Letter) -> bytes:
    """The canonical bytes of a stored letter, as `letter_send` hashed them."""
    return canonical_content(
        tracking_code=letter.tracking_code,
        sender_id=letter.sender_id,
        sender_name=letter.sender_name,
        subject=letter.subject,
        body=letter.body,
        category=letter.category,
        is_legal_notice=letter.is_legal_notice,
        reply_allowed=letter.reply_allowed,
        in_reply_to=letter.in_reply_to.tracking_code if letter.in_reply_to else None,
        attachments=[
            {"name": a.original_name, "content_type": a.content_type, "size": a.size,
             "sha256": a.sha256}
            for a in letter.attachments.all()
        ],
    )  # fmt: skip
