"""Events of the accounts app that apps above it react to, so that accounts never
imports them (the mailbox binds a person's letters to the new account)."""

from django.dispatch import Signal

# Sent by `services.registration_complete` inside its transaction, once the account
# and its profile exist, with `user` (User) and `profile` (NaturalPerson or
# LegalPerson). A receiver that raises undoes the registration.
person_registered = Signal()
