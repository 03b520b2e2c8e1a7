"""What the national-scale benchmarks share: their database, the production-like
environment every one of them runs Django in, and the person whose inbox is measured.

    make bench-scale     # seed_scale.py, then inbox_load.py, fanout.py and campaign.py

The database is PostgreSQL's own for these benchmarks (`payam_scale`; `--database-url`
or SCALE_DATABASE_URL to change it), separate from `payam_bench` of the quick benchmarks.
"""

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = os.environ.get(
    "SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/payam_scale"
)
DEFAULT_REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/12")

# payam.settings.production refuses to start without these; the values are for this
# benchmark only. The verification key is also the one the seeded letters were signed
# with, so /verify/ accepts them under it.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "payam.settings.production",
    "SECRET_KEY": "bench-scale-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SMS_CALLBACK_SECRET": "bench-scale-only-sms-callback-secret-0123456789",
    "LETTER_VERIFY_KEY": "bench-scale-only-letter-verify-key-0123456789",
    "SMS_GATEWAY": "console",
    "LOG_LEVEL": "WARNING",
}

# The person whose inbox inbox_load.py serves: a natural person with an active inbox.
TARGET_FIRST_NAME, TARGET_LAST_NAME = "سارا", "محمدی"


def target_code() -> str:
    """The target's national code (valid check digit)."""
    from payam.identifiers import national_code_check_digit

    body = "008123456"
    return body + str(national_code_check_digit(body))


def production_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of payam.settings.production against the scale database."""
    return PRODUCTION_ENV | {"DATABASE_URL": database_url, "REDIS_URL": redis_url}


def setup_django(database_url: str, redis_url: str) -> None:
    """Django with the production settings, as gunicorn runs it, on this database."""
    os.environ.update(production_env(database_url, redis_url))
    import django

    django.setup()


def admin_url(database_url: str) -> str:
    """The same server's maintenance database (for CREATE / DROP DATABASE)."""
    return database_url.rsplit("/", 1)[0] + "/postgres"


def database_name(database_url: str) -> str:
    return database_url.rsplit("/", 1)[1].split("?", 1)[0]


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {
        "name": name,
        "when": datetime.now(tz=UTC).isoformat(),
        "machine": f"{os.cpu_count()} cores",
        **result,
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    return out


def read_result(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data
