"""The base of every domain error whose message is shown to the person, and the
one refusal of a list of recipients (letters and SMS alike)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from payam.text import localized_digits


class UserFacingError(Exception):
    """Raise a subclass with its own `message`, or pass one; `str(error)` is the
    translated message that views put next to a field and APIs return as 4xx."""

    message: str | Promise = _("درخواست انجام نشد.")

    def __init__(self, message: str | Promise | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


@dataclass(frozen=True)
class RecipientProblem:
    position: int  # 1-based, in the order given (a CSV's row, a list's line)
    value: str
    message: str

    def __str__(self) -> str:
        return f"{localized_digits(self.position)}. {self.value}: {self.message}"


SHOWN_PROBLEMS = 10


class InvalidRecipients(UserFacingError):
    """One or more recipients are wrong; `problems` says which and why, in
    order. Nothing was sent or queued. `summary` says what was refused, with
    %(count)s and %(list)s (the first ten problems): an ngettext_lazy(…, …, "n")
    so the language can say one and many."""

    def __init__(
        self,
        problems: list[RecipientProblem],
        *,
        summary: str | Promise,
    ) -> None:
        self.problems = problems
        text = (
            summary
            % {
                "n": len(problems),  # picks the plural of an ngettext_lazy summary
                "count": localized_digits(len(problems)),
                "list": "؛ ".join(str(p) for p in problems[:SHOWN_PROBLEMS]),
            }
        )
        more = len(problems) - SHOWN_PROBLEMS
        if more > 0:
            text += " " + _("و %(more)s مورد دیگر.") % {"more": localized_digits(more)}
        super().__init__(text)
