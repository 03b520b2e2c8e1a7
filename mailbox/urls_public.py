"""Mailbox pages outside /inbox/, for everyone: the check of a printed letter.
Included by the root URLconf by name, without a namespace, so `letter_verify`
keeps its name and `payam` imports no app."""

from django.urls import path

from . import public

urlpatterns = [
    path("verify/", public.verify, name="letter_verify"),
]
