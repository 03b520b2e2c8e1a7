"""What the agencies' API reads (agencies/api.py), scoped to the key's agency:
a send by its code or a letter by its tracking code (Http404 for another
agency's), its figures, and its recipients a page at a time by a keyset cursor."""

from django.db.models import Q
from django.http import Http404

from mailbox.models import Delivery, Letter
from payam import tracking

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
