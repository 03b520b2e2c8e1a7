"""Refusals of the gateway requests, each with the Persian sentence shown to the person."""

from django.utils.translation import gettext_lazy as _

from payam.errors import UserFacingError


class GatewayError(UserFacingError):
    pass


class LogoRefused(GatewayError):
    message = _("نشان سامانه باید پرونده‌ی PNG و حداکثر ۱ مگابایت باشد.")


class EmailOutsideDomain(GatewayError):
    def __init__(self, domain: str) -> None:
        super().__init__(
            _("رایانامه‌ی کارشناس فنی باید در دامنه‌ی سازمان (%(domain)s) باشد.") % {"domain": domain}
        )


class DomainMissing(GatewayError):
    message = _("دامنه‌ی رایانامه‌ی سازمان هنوز ثبت نشده است؛ نخست آن را در صفحه‌ی سامانه‌ها ثبت کنید.")


class PeopleOutsideDomain(GatewayError):
    def __init__(self, domain: str, names: list[str]) -> None:
        super().__init__(
            _(
                "رایانامه‌ی این کارشناسان فنی در دامنه‌ی %(domain)s نیست: %(names)s. "
                "نخست رایانامه‌ی آنان را درست کنید."
            )
            % {"domain": domain, "names": "، ".join(names)}
        )
