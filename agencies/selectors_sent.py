"""What an agency sent and what became of it, for its members only: campaigns,
letters with their delivery, notice and read counts, and who has not read."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mailbox.constants import NotifyStatus
from mailbox.models import Delivery, Letter
from mailbox.selectors import letter_sms_counts
from payam import tracking

from .constants import CampaignStatus
from .models import Agency, Campaign

LETTERS_PER_PAGE = 20
UNREAD_PER_PAGE = 50


@dataclass(frozen=True)
class LetterStats:
    """One letter's figures: recipients it was addressed to, deliveries made so
    far, notices queued, notice SMS the operator reported delivered, reads."""

    recipients: int
    delivered: int
    notified: int
    read: int
    sms_queued: int = 0
    sms_delivered: int = 0

    @property
    def read_percent(self) -> float:
        return round(100 * self.read / self.delivered, 1) if self.delivered else 0.0

    @property
    def unread(self) -> int:
        return self.delivered - self.read

    @property
    def delivered_percent(self) -> float:
        return round(100 * self.delivered / self.recipients, 1) if self.recipients else 0.0


def _counts(letter_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        Delivery.objects.filter(letter_id__in=letter_ids)
        .values("letter_id")
        .annotate(
            delivered=Count("id"),
            read=Count("id", filter=Q(first_read_at__isnull=False)),
            notified=Count("id", filter=Q(notification_status=NotifyStatus.SENT)),
        )
    )
    return {row["letter_id"]: row for row in rows}


def letter_stats(letter: Letter, *, with_sms: bool = True) -> LetterStats:
    row = _counts([letter.pk]).get(letter.pk, {})
    queued, delivered = letter_sms_counts(letter) if with_sms else (0, 0)
    return LetterStats(
        recipients=letter.recipient_count,
        delivered=row.get("delivered", 0),
        notified=row.get("notified", 0),
        read=row.get("read", 0),
        sms_queued=queued,
        sms_delivered=delivered,
    )


@dataclass(frozen=True)
class SentRow:
    letter: Letter
    stats: LetterStats
    campaign: Campaign | None


def sent_letters(
    *, agency: Agency, page: str | int | None = 1
) -> tuple[Page[Letter], list[SentRow]]:
    """The agency's letters, newest first, a page at a time, with their figures
    (one grouped count for the page's letters)."""
    letters = (
        Letter.objects.filter(sender_id=agency.mailbox_id)
        .select_related("campaign")
        .only(
            "id",
            "tracking_code",
            "subject",
            "sent_at",
            "recipient_count",
            "fanout_state",
            "fanout_done",
            "category",
            "in_reply_to_id",
            "campaign__id",
            "campaign__code",
        )
        .order_by("-sent_at", "-pk")
    )
    shown = Paginator(letters, LETTERS_PER_PAGE).get_page(page)
    counts = _counts([letter.pk for letter in shown])
    rows = []
    for letter in shown:
        row = counts.get(letter.pk, {})
        stats = LetterStats(
            recipients=letter.recipient_count,
            delivered=row.get("delivered", 0),
            notified=row.get("notified", 0),
            read=row.get("read", 0),
        )
        rows.append(SentRow(letter, stats, getattr(letter, "campaign", None)))
    return shown, rows


def agency_letter(*, agency: Agency, tracking_code: str) -> Letter:
    """A letter the agency sent, or Http404 (another agency's, a malformed code)."""
    code = tracking.normalize(tracking_code or "")
    letter = (
        Letter.objects.filter(sender_id=agency.mailbox_id, tracking_code=code)
        .select_related("campaign")
        .first()
        if tracking.is_valid(code)
        else None
    )
    if letter is None:
        raise Http404
    return letter


def _unread(letter: Letter) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(letter=letter, first_read_at__isnull=True)
        .select_related("recipient")
        .only(
            "id",
            "delivered_at",
            "notification_status",
            "recipient__kind",
            "recipient__identifier",
            "recipient__display_name",
            "recipient__owner_id",
        )
        .order_by("pk")
    )


def unread_page(*, letter: Letter, page: str | int | None = 1) -> Page[Delivery]:
    """Who has not read the letter yet, in delivery order, a page at a time."""
    return Paginator(_unread(letter), UNREAD_PER_PAGE).get_page(page)


def unread_rows(*, letter: Letter) -> Iterator[Delivery]:
    """Every recipient who has not read the letter, streamed (for the CSV export)."""
    return _unread(letter).iterator(chunk_size=5000)


def campaign_of_agency(*, agency: Agency, code: str) -> Campaign:
    """One of the agency's campaigns, or Http404."""
    normalized = tracking.normalize(code or "")
    campaign = (
        Campaign.objects.filter(agency=agency, code=normalized)
        .select_related("created_by", "approved_by", "letter")
        .first()
        if tracking.is_valid(normalized)
        else None
    )
    if campaign is None:
        raise Http404
    return campaign


def open_campaigns(*, agency: Agency) -> list[Campaign]:
    """Campaigns not yet sent: drafts, those awaiting a second member, scheduled."""
    return list(
        Campaign.objects.filter(
            agency=agency,
            status__in=(
                CampaignStatus.DRAFT,
                CampaignStatus.AWAITING_APPROVAL,
                CampaignStatus.SCHEDULED,
                CampaignStatus.SENDING,
            ),
        )
        .select_related("created_by")
        .order_by("-created_at")[:50]
    )


def campaign_history(*, campaign: Campaign) -> list[object]:
    return list(campaign.changes.select_related("actor").order_by("at", "pk"))
