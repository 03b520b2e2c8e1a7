"""Tags of the agency desk's pages."""

from django import template

from ..models import Agency
from ..selectors_incoming import incoming_unread_count

register = template.Library()


@register.simple_tag
def incoming_unread(agency: object) -> int:
    """Letters the agency received that no member has opened yet: the badge of
    «نامه‌های رسیده» in the desk's navigation (0 without an agency)."""
    if not isinstance(agency, Agency):
        return 0
    return incoming_unread_count(agency=agency)
