"""The base of every domain error whose message is shown to the person."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class UserFacingError(Exception):
    """Raise a subclass with its own `message`, or pass one; `str(error)` is the
    translated message that views put next to a field and APIs return as 4xx."""

    message: str | Promise = _("درخواست انجام نشد.")

    def __init__(self, message: str | Promise | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))
