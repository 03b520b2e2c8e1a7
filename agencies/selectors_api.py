"""What the agencies' API reads (agencies/api.py), scoped to the key's agency:
a send by its code or a letter by its tracking code (Http404 for another
agency's), its figures, and its recipients a page at a time by a keyset cursor;
the replies and letters its mailbox received, in arrival order; its SMS."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from mailbox.models import Delivery, Letter
from mailbox.selectors import decode_cursor, encode_cursor
from payam import tracking
from sms.models import OutboundSMS

from .models import Agency, Campaign
from .selectors_sent import LetterStats, letter_stats


def api_letter(*, agency: Agency, code: str) -> Campaign | Letter:
    """The agency's send (campaign) by its code, or its letter by the letter's
    tracking code; Http404 otherwise."""
    normalized = tracking.normalize(code or "")
    if not tracking.is_valid(normalized):
        raise Http404
    campaign = (
        Campaign.objects.filter(agency=agency, code=normalized).select_related("letter").first()
    )
    if campaign is not None:
        return campaign
    letter = Letter.objects.filter(sender_id=agency.mailbox_id, tracking_code=normalized).first()
    if letter is None:
        raise Http404
    campaign = Campaign.objects.filter(letter=letter).select_related("letter").first()
    return campaign or letter


def letter_figures(letter: Letter) -> LetterStats:
    return letter_stats(letter, with_sms=False)


def campaign_figures(campaign: Campaign) -> LetterStats:
    """Before its letter exists, the recipients it will go to and nothing delivered."""
    if campaign.letter_id is None:
        return LetterStats(recipients=campaign.recipient_count, delivered=0, notified=0, read=0)
    return letter_stats(campaign.letter, with_sms=False)  # type: ignore[arg-type]


def recipients_page(
    *, letter: Letter, status: str, after: int, limit: int
) -> tuple[list[Delivery], int | None]:
    """Deliveries of `letter` after the cursor `after` (a delivery id), in
    delivery order: all of them, the read or the unread; and the next cursor."""
    rows = Delivery.objects.filter(letter=letter, pk__gt=after)
    if status == "read":
        rows = rows.filter(first_read_at__isnull=False)
    elif status == "unread":
        rows = rows.filter(Q(first_read_at__isnull=True))
    page = list(
        rows.select_related("recipient")
        .only("id", "delivered_at", "first_read_at", "recipient__identifier")
        .order_by("pk")[: limit + 1]
    )
    if len(page) > limit:
        return page[:limit], page[limit - 1].pk
    return page, None


# --- what the agency received: replies and incoming letters (`/replies`, `/incoming`) --------

FeedKind = Literal["replies", "incoming"]


@dataclass(frozen=True)
class FeedPage:
    items: list[Delivery]  # each with its letter, sender, the letter it answers, attachments
    campaigns: dict[int, str]  # the answered letter's id → its send's (campaign's) code
    # Where the next poll starts: after this page's last row, or where this one
    # started when nothing new came (None only when it was the start).
    next_cursor: str | None
    has_more: bool  # more rows are there already


def received_page(
    *,
    agency: Agency,
    kind: FeedKind,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> FeedPage:
    """The agency's received letters in arrival order (delivered_at, id), oldest
    first: the replies to its letters, or the letters people wrote to it (new
    ones, answering none). `since` is inclusive; `cursor` (the last row of the
    previous page or poll) exclusive. Only rows delivered API_FEED_SETTLE_SECONDS ago or
    more are listed, so a transaction still committing when a page was read cannot
    land behind its cursor. Served by delivery_inbox_idx (recipient, delivered_at, id)."""
    settled = timezone.now() - timedelta(seconds=settings.API_FEED_SETTLE_SECONDS)
    rows = Delivery.objects.filter(
        recipient_id=agency.mailbox_id,
        delivered_at__lte=settled,
        letter__in_reply_to__isnull=kind == "incoming",
    )
    if since is not None:
        rows = rows.filter(delivered_at__gte=since)
    after = decode_cursor(cursor) if cursor else None
    if cursor and after is None:
        raise ValueError("cursor")
    if after is not None:
        at, pk = after
        # (delivered_at, id) > (at, pk), with `delivered_at >= at` on its own so the
        # index scan starts at the cursor and stops after the page (no sort of the rest).
        rows = rows.filter(Q(delivered_at__gte=at) & (Q(delivered_at__gt=at) | Q(pk__gt=pk)))
    page = list(
        rows.select_related("letter", "letter__sender", "letter__in_reply_to")
        .prefetch_related("letter__attachments")
        .order_by("delivered_at", "pk")[: limit + 1]
    )
    more = len(page) > limit
    items = page[:limit]
    answered = {d.letter.in_reply_to_id for d in items if d.letter.in_reply_to_id is not None}
    campaigns = (
        dict(Campaign.objects.filter(letter_id__in=answered).values_list("letter_id", "code"))
        if answered
        else {}
    )
    return FeedPage(
        items=items,
        campaigns=campaigns,
        next_cursor=encode_cursor(items[-1]) if items else cursor,
        has_more=more,
    )


def campaign_code_of(letter: Letter | None) -> str | None:
    """The code of the send (campaign) that made `letter`, if one did."""
    if letter is None:
        return None
    return Campaign.objects.filter(letter=letter).values_list("code", flat=True).first()


# --- the agency's SMS (`/sms/{id}`) ----------------------------------------------------------


def api_sms(*, agency: Agency, sms_id: int) -> OutboundSMS:
    """One SMS the agency sent from its sender number; Http404 otherwise."""
    if agency.sender_id is None:
        raise Http404
    sms = (
        OutboundSMS.objects.filter(pk=sms_id, sender_id=agency.sender_id)
        .select_related("sender")
        .first()
    )
    if sms is None:
        raise Http404
    return sms


def batch_ids(*, agency: Agency, batch_id: uuid.UUID) -> dict[str, int]:
    """The ids of a list's messages by their mobile (+989…)."""
    return dict(
        OutboundSMS.objects.filter(batch_id=batch_id, sender_id=agency.sender_id).values_list(
            "recipient", "pk"
        )
    )
