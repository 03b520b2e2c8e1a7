from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from payam.demo import DemoLogin, demo_modules


class Command(BaseCommand):
    help = "Create the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (never on a real deployment).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Refusing to create demo accounts with DEBUG off.")
        logins: list[DemoLogin] = []
        with transaction.atomic():
            for module in demo_modules():
                logins.extend(module.seed())
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins:"))
        width = max((len(login.username) for login in logins), default=8)
        for login in logins:
            note = f"  ({login.note})" if login.note else ""
            self.stdout.write(
                f"  {login.role:<28} {login.username:<{width}}  {login.password}{note}"
            )
