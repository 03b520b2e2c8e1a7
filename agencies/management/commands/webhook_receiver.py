"""A local webhook receiver for trying the agencies' webhooks (docs/webhooks.md):
it checks each request's Payam-Signature with the same `verify_signature` the
document prints, and prints every event and whether its signature is valid.

    python manage.py webhook_receiver --port 8099 --secret whsec_…

Register http://127.0.0.1:8099/payam/webhook on /agency/webhooks/ (development
settings allow http and 127.0.0.1), copy the secret shown once, and run this."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from agencies.webhook_receiver import Received, ReceiverServer


class Command(BaseCommand):
    help = "Run a local webhook receiver that verifies Payam's signatures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8099)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--secret", required=True, help="the endpoint's secret (whsec_…)")

    def handle(self, *args: Any, **options: Any) -> None:
        server = ReceiverServer(options["port"], options["secret"], host=options["host"])
        server.on_receive = self.show
        self.stdout.write(f"Listening on {server.url} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            server.server_close()

    def show(self, got: Received) -> None:
        verdict = (
            self.style.SUCCESS("signature valid")
            if got.signature_valid
            else self.style.ERROR("signature INVALID (answered 401)")
        )
        self.stdout.write(f"{got.event} {got.delivery} t={got.timestamp}: {verdict}")
        try:
            self.stdout.write(json.dumps(got.json(), ensure_ascii=False, indent=2))
        except ValueError:
            self.stdout.write(got.body.decode("utf-8", "replace"))
        self.stdout.flush()
