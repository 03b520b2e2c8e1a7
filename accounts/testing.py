"""For tests: sign a staff account in on a test client as the portal's login
would, with the second factor its role must pass (accounts/second_factor.py).
`client.force_login` alone leaves a session that skipped it, which every
workspace of such a role now signs out."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client, RequestFactory

from .models import User

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def sign_in_with_second_factor(client: Client, user: User) -> Authenticator:
    """Sign `user` in on `client` after a password and a TOTP code; the
    authenticator app is set up first if the account has none. Returns it."""
    app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if app is None:
        app = TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user, backend=BACKEND)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", username=user.username)
    record_authentication(request, user, "mfa", id=app.pk, type=app.type)
    request.session.save()
    return app
