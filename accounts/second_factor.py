"""Whether this session passed the second factor, which every workspace of a role
that needs it checks (accounts.middleware.AccountGuardMiddleware): having an
authenticator app set up is not enough, the session must have used it.

allauth keeps, in the session, a record of each way its user proved who they are
(password, a TOTP or recovery code, SSO). A code typed at sign-in, at a
re-authentication, or while setting up the authenticator app each leave an
"mfa" record; a sign-in that skipped the code step leaves none."""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from .models import User

MFA_METHOD = "mfa"


def passed(request: HttpRequest, user: User) -> bool:
    """Whether `user` typed a valid second-factor code in this session."""
    records = get_authentication_records(request, user)
    return any(record.get("method") == MFA_METHOD for record in records)


def record_setup(request: HttpRequest, user: User, authenticator: Authenticator) -> None:
    """Setting up the authenticator app asks for one of its codes: that counts as
    passing the second factor in this session."""
    record_authentication(
        request, user, MFA_METHOD, id=authenticator.pk, type=authenticator.type, setup=True
    )
