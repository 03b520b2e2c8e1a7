"""A CSV of recipients to try a campaign with on the demo data: the demo
citizens first (so one of them can read it and the desk's read count rises),
then generated people who have not registered yet (placeholder inboxes), enough
rows to need a second member's approval.

    python manage.py demo_campaign_csv > campaign.csv
    python manage.py demo_campaign_csv --rows 20 --encoding cp1256 -o small.csv
"""

import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from agencies.campaign_csv import csv_bytes
from payam.identifiers import national_code_check_digit
from payam.text import TO_WINDOWS_1256

# The demo citizens of docs/demo-identities.md, as a spreadsheet may keep them
# (the second without its leading zeros: the portal pads it back).
DEMO_ROWS = [
    ("0012345679", "علی رضایی", "12500000"),
    ("23456787", "مریم احمدی", "8000000"),
]
GENERATED_START = 700_000_000  # first nine digits of the generated codes: no demo person


def generated(n: int) -> str:
    first_nine = f"{GENERATED_START + n:09d}"
    return first_nine + str(national_code_check_digit(first_nine))


class Command(BaseCommand):
    help = "Write a CSV of campaign recipients for the demo (national_code, name, amount)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--rows",
            type=int,
            default=settings.CAMPAIGN_APPROVAL_THRESHOLD + 1,
            help="data rows (default: one more than needs a second member's approval)",
        )
        parser.add_argument("--encoding", choices=["utf-8-sig", "cp1256"], default="utf-8-sig")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        count = max(1, options["rows"])
        rows = list(DEMO_ROWS[:count])
        rows += [
            (generated(n), f"شهروند آزمایشی {n + 1}", f"{(n % 50 + 1) * 100_000}")
            for n in range(count - len(rows))
        ]
        data = csv_bytes(["national_code", "name", "amount"], rows)
        if options["encoding"] == "cp1256":
            data = data.decode("utf-8-sig").translate(TO_WINDOWS_1256).encode("cp1256")
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(data)
            self.stderr.write(f"{count} rows written to {options['output']}")
        else:
            sys.stdout.buffer.write(data)
