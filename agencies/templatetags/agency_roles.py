"""What an agency member's roles let them reach, for the desk's navigation."""

from django import template

from accounts.roles import AnyUser, is_agency_admin, is_agency_sender

register = template.Library()


@register.filter
def agency_sender(user: AnyUser) -> bool:
    return is_agency_sender(user)


@register.filter
def agency_admin(user: AnyUser) -> bool:
    return is_agency_admin(user)
