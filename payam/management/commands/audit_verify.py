from typing import Any

from django.core.management.base import BaseCommand, CommandError

from payam.audit import verify_chain
from payam.models import AuditEvent


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report any edited, removed or inserted row."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(f"audit chain broken at {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the audit log")
        self.stdout.write(f"audit chain intact: {AuditEvent.objects.count()} events")
