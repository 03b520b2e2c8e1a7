"""/agency/compose/, /agency/campaigns/… and /agency/letters/…: an agency's
letters to one or many, the second member's approval, live progress, and what
became of each letter (delivered, notified, read, who has not read). Members
of the agency only (404 for everyone else); composing and deciding need a
member allowed to send."""

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import is_agency_sender
from mailbox.content import merge_text, plain_text_body
from mailbox.exceptions import AttachmentRefused
from payam.errors import UserFacingError
from payam.jalali import format_datetime

from . import selectors, selectors_sent
from .campaign_csv import CsvRefused, csv_bytes
from .constants import CampaignStatus
from .exceptions import CampaignRowsRefused
from .forms import CampaignCancelForm, ComposeForm
from .models import Agency, Campaign
from .services import campaigns as service

PROBLEMS_SHOWN = 200


def _sender_agency(request: HttpRequest) -> tuple[User, Agency]:
    agency = selectors.agency_of_member(user=request.user)
    if not is_agency_sender(request.user) or not isinstance(request.user, User):
        raise Http404
    return request.user, agency


def release_due_in_dev() -> None:
    """Without Celery beat (`make run`: tasks run eagerly), scheduled campaigns
    go when the agency desk is opened after their time. Production's beat sweep
    (`agencies.campaigns_due`) does this every half minute."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        service.campaigns_release_due()


@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    member, agency = _sender_agency(request)
    form = ComposeForm(request.POST or None, request.FILES or None)
    problems: list[object] = []
    problem_count = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = service.campaign_create(
                actor=member,
                agency=agency,
                subject=data["subject"],
                body=data["body"],
                category=data["category"],
                is_legal_notice=data["is_legal_notice"],
                reply_allowed=data["reply_allowed"],
                recipients_text=data["recipients"],
                csv_file=data["csv_file"],
                skip_invalid=data["skip_invalid"],
                attachments=data["attachments"],
                scheduled_at=data["scheduled_at"],
            )
        except CampaignRowsRefused as exc:
            form.add_error(None, str(exc))
            problems = list(exc.problems[:PROBLEMS_SHOWN])
            problem_count = len(exc.problems)
        except CsvRefused as exc:
            form.add_error("csv_file", str(exc))
        except AttachmentRefused as exc:
            form.add_error("attachments", str(exc))
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return redirect("agency:campaign", code=campaign.code)
        form.ask_for_files_again()
    context = {
        "agency": agency,
        "form": form,
        "problems": problems,
        "problem_count": problem_count,
        "problems_more": max(0, problem_count - len(problems)),
        "threshold": settings.CAMPAIGN_APPROVAL_THRESHOLD,
        "section": "compose",
    }
    return render(request, "agencies/agency/compose.html", context, status=200)


def _campaign_context(
    request: HttpRequest, agency: Agency, campaign: Campaign
) -> dict[str, object]:
    member = request.user
    may_send = is_agency_sender(member)
    mine = campaign.created_by_id == member.pk
    preview_subject = merge_text(campaign.subject, campaign.preview, escape_html=False)
    preview_body = merge_text(plain_text_body(campaign.body), campaign.preview, escape_html=True)
    return {
        "agency": agency,
        "campaign": campaign,
        "preview_subject": preview_subject,
        "preview_body": preview_body,
        "history": selectors_sent.campaign_history(campaign=campaign),
        # The progress and figures the fragment shows (and polls while it goes out).
        "stats": (
            selectors_sent.letter_stats(campaign.letter, with_sms=False)
            if campaign.letter
            else None
        ),
        "attachments": list(campaign.attachments.all()),
        "may_confirm": may_send and mine and campaign.status == CampaignStatus.DRAFT,
        "may_approve": may_send
        and not mine
        and campaign.status == CampaignStatus.AWAITING_APPROVAL,
        "may_cancel": may_send and campaign.is_open,
        "needs_second": campaign.recipient_count > settings.CAMPAIGN_APPROVAL_THRESHOLD,
        "threshold": settings.CAMPAIGN_APPROVAL_THRESHOLD,
        "cancel_form": CampaignCancelForm(),
        "section": "compose",
    }


@require_GET
def campaign(request: HttpRequest, code: str) -> HttpResponse:
    agency = selectors.agency_of_member(user=request.user)
    release_due_in_dev()
    found = selectors_sent.campaign_of_agency(agency=agency, code=code)
    return render(
        request, "agencies/agency/campaign.html", _campaign_context(request, agency, found)
    )


@require_POST
def campaign_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Confirm (its composer), approve (a second member), or call off."""
    member, agency = _sender_agency(request)
    found = selectors_sent.campaign_of_agency(agency=agency, code=code)
    try:
        if action == "confirm":
            found = service.campaign_confirm(actor=member, campaign=found)
            outcomes: dict[str, str] = {
                CampaignStatus.AWAITING_APPROVAL: _(
                    "ثبت شد. این نامه به بیش از %(n)s گیرنده می‌رود و پس از تأیید عضو دیگری "
                    "از دستگاه فرستاده می‌شود."
                )
                % {"n": settings.CAMPAIGN_APPROVAL_THRESHOLD},
                CampaignStatus.SCHEDULED: _("ثبت شد و در زمان گذاشته‌شده فرستاده می‌شود."),
            }
            done = outcomes.get(found.status, _("فرستادن آغاز شد."))
        elif action == "approve":
            found = service.campaign_approve(actor=member, campaign=found)
            done = (
                _("تأیید شد و در زمان گذاشته‌شده فرستاده می‌شود.")
                if found.status == CampaignStatus.SCHEDULED
                else _("تأیید شد و فرستادن آغاز شد.")
            )
        elif action == "cancel":
            form = CampaignCancelForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            service.campaign_cancel(actor=member, campaign=found, reason=reason)
            done = _("این ارسال لغو شد و چیزی فرستاده نشد.")
        else:
            raise Http404
    except PermissionDenied as exc:
        raise Http404 from exc
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("agency:campaign", code=found.code)


@require_GET
def campaign_progress(request: HttpRequest, code: str) -> HttpResponse:
    """The progress fragment htmx polls while a campaign goes out."""
    agency = selectors.agency_of_member(user=request.user)
    found = selectors_sent.campaign_of_agency(agency=agency, code=code)
    stats = selectors_sent.letter_stats(found.letter, with_sms=False) if found.letter else None
    return render(
        request,
        "agencies/agency/_campaign_progress.html",
        {"campaign": found, "stats": stats},
    )


@require_GET
def letter(request: HttpRequest, tracking_code: str) -> HttpResponse:
    agency = selectors.agency_of_member(user=request.user)
    found = selectors_sent.agency_letter(agency=agency, tracking_code=tracking_code)
    context = {
        "agency": agency,
        "letter": found,
        "campaign": getattr(found, "campaign", None),
        "stats": selectors_sent.letter_stats(found),
        "unread": selectors_sent.unread_page(letter=found, page=request.GET.get("page")),
        "section": "home",
    }
    return render(request, "agencies/agency/letter.html", context)


@require_GET
def letter_unread_csv(request: HttpRequest, tracking_code: str) -> StreamingHttpResponse:
    """Who has not read the letter, as a CSV a spreadsheet opens in Persian."""
    agency = selectors.agency_of_member(user=request.user)
    found = selectors_sent.agency_letter(agency=agency, tracking_code=tracking_code)
    header = [_("کد ملی یا شناسه"), _("نام"), _("زمان تحویل"), _("آگاه‌سازی")]

    def rows() -> Iterator[bytes]:
        yield csv_bytes(header, [])
        batch: list[list[object]] = []
        for delivery in selectors_sent.unread_rows(letter=found):
            batch.append(
                [
                    delivery.recipient.identifier,
                    delivery.recipient.display_name,
                    format_datetime(delivery.delivered_at),
                    delivery.get_notification_status_display(),
                ]
            )
            if len(batch) == 1000:
                yield _body_only(batch)
                batch = []
        if batch:
            yield _body_only(batch)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"unread-{found.tracking_code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _body_only(batch: list[list[object]]) -> bytes:
    """Rows without the header line and the byte-order mark `csv_bytes` starts with."""
    text = csv_bytes([], batch)
    return text.removeprefix("\ufeff".encode())
