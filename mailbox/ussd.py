"""The USSD `unread_count` action: "how many unread letters do I have?".

The operator's gateway tells us the caller's mobile; it is matched to the
verified mobile of person profiles. One number may hold a citizen's account and
a company's (its CEO's mobile), so each is listed."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import LegalPerson, NaturalPerson
from payam.text import to_persian_digits
from sms.ussd import UssdReply, UssdRequest

from .selectors import unread_count

MAX_ACCOUNTS = 3


def unread_count_handler(request: UssdRequest, answer: str) -> UssdReply:
    if request.msisdn is None:
        return UssdReply.finish(_("شماره‌ی همراه شما شناخته نشد."))
    people = list(
        NaturalPerson.objects.filter(mobile=request.msisdn, user__is_active=True)
        .select_related("user")
        .order_by("pk")[:MAX_ACCOUNTS]
    )
    companies = list(
        LegalPerson.objects.filter(mobile=request.msisdn, user__is_active=True)
        .select_related("user")
        .order_by("pk")[:MAX_ACCOUNTS]
    )
    accounts = [(f"{p.first_name} {p.last_name}", p.user) for p in people]
    accounts += [(c.name, c.user) for c in companies]
    if not accounts:
        return UssdReply.finish(
            _(
                "این شماره به هیچ حسابی در پیام ایران متصل نیست. "
                "برای ثبت‌نام به درگاه پیام ایران بروید."
            )
        )
    if len(accounts) == 1:
        count = unread_count(user=accounts[0][1])
        if count == 0:
            return UssdReply.finish(_("نامه‌ی خوانده‌نشده‌ای در کارپوشه‌ی شما نیست."))
        return UssdReply.finish(
            ngettext(
                "%(count)s نامه‌ی خوانده‌نشده در کارپوشه‌ی شما است.",
                "%(count)s نامه‌ی خوانده‌نشده در کارپوشه‌ی شما است.",
                count,
            )
            % {"count": to_persian_digits(count)}
        )
    lines = [_("نامه‌های خوانده‌نشده:")]
    for name, user in accounts[:MAX_ACCOUNTS]:
        lines.append(f"{name}: {to_persian_digits(unread_count(user=user))}")
    return UssdReply.finish("\n".join(lines))
