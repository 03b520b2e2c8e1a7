"""Where a signed-in page's time goes, layer by layer, in process, with the
production settings: each middleware, each context processor, the view, the SQL,
and each template (the layout's and the page's own), as exclusive times (a layer's
own time, its children's subtracted), median over many requests.

    python bench/page_anatomy.py [--requests 40] [--database-url postgres://…]
                                 [--persona citizen|agency|company|expert]

Pages of the citizen (the default): the signed-in home page, the inbox and one
letter of the person measured — the 500-letter person of the national-scale
database (bench/seed_scale.py) when `--database-url` names it, else the demo
citizen in a database of its own (`payam_anatomy`, migrated and seeded with the
demo data when missing). The other personas are the demo's, on the demo data:
the tax organization's admin (its desk, compose, a sent letter, incoming letters,
SMS), the company (its service desk and a request) and the ITO expert (the
desk's queue). Staff sign in with the second factor. Prints a table per page,
with the SQL queries a request makes, and writes
bench/results/page_anatomy[-<persona>].json; docs/performance.md keeps the table
of each run that changed the figures.
"""

import argparse
import logging
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import (  # noqa: E402
    DEFAULT_REDIS_URL,
    admin_url,
    database_name,
    setup_django,
    target_code,
    write_result,
)

ANATOMY_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/payam_anatomy"
# A cache of its own: the pages' cached parts are keyed by account id, and the
# scale database (SCALE_REDIS_URL) has accounts with the same ids.
ANATOMY_REDIS_URL = "redis://127.0.0.1:6379/13"
DEMO_CITIZEN = "0012345679"
DEMO_AGENCY_ADMIN = "ag0067891233"
DEMO_AGENCY = "سازمان امور مالیاتی کشور"
DEMO_COMPANY = "10100123456"
DEMO_EXPERT = "ito.expert"


class Profiler:
    """A stack of timed frames: each frame's exclusive time (its own, without the
    frames inside it) is added to its label's total for the current request."""

    def __init__(self) -> None:
        self.stack: list[list[int]] = []  # [start, time spent in children]
        self.request: dict[str, int] = defaultdict(int)
        self.queries = 0  # SQL statements of the current request

    @contextmanager
    def frame(self, label: str) -> Iterator[None]:
        self.stack.append([time.perf_counter_ns(), 0])
        try:
            yield
        finally:
            start, children = self.stack.pop()
            spent = time.perf_counter_ns() - start
            self.request[label] += spent - children
            if self.stack:
                self.stack[-1][1] += spent

    def wrap(self, label: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.frame(label):
                return func(*args, **kwargs)

        return timed


def instrument(profiler: Profiler) -> None:
    """Time every middleware, context processor, view, SQL statement and template."""
    from django.conf import settings
    from django.core.handlers.base import BaseHandler
    from django.db import connection
    from django.template import engines
    from django.template.base import Template
    from django.utils.module_loading import import_string

    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        original = cls.__call__
        label = "middleware " + path.rsplit(".", 1)[1]

        def timed_call(self: Any, request: Any, _o: Any = original, _l: str = label) -> Any:
            with profiler.frame(_l):
                return _o(self, request)

        cls.__call__ = timed_call

    get_response = getattr(BaseHandler, "_get_response")  # noqa: B009  (private in the stubs)

    def timed_get_response(self: Any, request: Any) -> Any:
        with profiler.frame("view (and process_view hooks)"):
            return get_response(self, request)

    setattr(BaseHandler, "_get_response", timed_get_response)  # noqa: B010

    engine = engines["django"].engine  # type: ignore[attr-defined]
    engine.__dict__["template_context_processors"] = tuple(
        profiler.wrap(f"context processor {p.__module__}.{p.__name__}", p)
        for p in engine.template_context_processors
    )

    render = getattr(Template, "_render")  # noqa: B009

    def timed_render(self: Template, context: Any) -> Any:
        with profiler.frame(f"template {self.origin.template_name or self.name!s}"):
            return render(self, context)

    setattr(Template, "_render", timed_render)  # noqa: B010

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        profiler.queries += 1
        with profiler.frame("SQL"):
            return execute(sql, params, many, context)

    connection.execute_wrappers.append(timed_sql)


def prepare_database(database_url: str) -> None:
    """The anatomy database: created, migrated and seeded once."""
    import psycopg

    with psycopg.connect(admin_url(database_url), autocommit=True) as conn:
        name = database_name(database_url)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def person_measured() -> Any:
    from accounts.models import User

    return User.objects.filter(username=target_code()).first() or User.objects.get(
        username=DEMO_CITIZEN
    )


def staff_pages(persona: str) -> tuple[Any, dict[str, str]]:
    """The demo account of `persona` and its pages, on the demo data."""
    from accounts.models import User
    from agencies.models import Agency
    from mailbox.models import Letter
    from servicedesk.models import Request

    if persona == "agency":
        user = User.objects.get(username=DEMO_AGENCY_ADMIN)
        agency = Agency.objects.get(mailbox__display_name=DEMO_AGENCY)
        sent = (
            Letter.objects.filter(sender=agency.mailbox)
            .order_by("-sent_at")
            .values_list("tracking_code", flat=True)
            .first()
        )
        return user, {
            "agency desk": "/agency/",
            "compose": "/agency/compose/",
            "sent letter": f"/agency/letters/{sent}/",
            "incoming": "/agency/inbox/",
            "sms": "/agency/sms/",
        }
    if persona == "company":
        user = User.objects.get(username=DEMO_COMPANY)
        code = Request.objects.filter(filed_by=user).values_list("tracking_code", flat=True)[0]
        return user, {"service desk": "/desk/", "request": f"/desk/requests/{code}/"}
    user = User.objects.get(username=DEMO_EXPERT)
    return user, {"desk queue": "/review/desk/", "agency applications": "/review/agencies/"}


def measure(pages: dict[str, str], *, user: Any, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from accounts.roles import requires_mfa
    from accounts.testing import sign_in_with_second_factor

    profiler = Profiler()
    instrument(profiler)
    client = Client(HTTP_HOST="127.0.0.1")
    if requires_mfa(user):
        sign_in_with_second_factor(client, user)
    else:
        client.force_login(user)
    connection.force_debug_cursor = False
    result: dict[str, Any] = {}
    for name, path in pages.items():
        runs: list[dict[str, int]] = []
        totals: list[int] = []
        queries: list[int] = []
        statuses: set[int] = set()
        for n in range(requests + 3):
            profiler.request = defaultdict(int)
            profiler.queries = 0
            start = time.perf_counter_ns()
            response = client.get(path, secure=True)
            totals.append(time.perf_counter_ns() - start)
            statuses.add(response.status_code)
            runs.append(dict(profiler.request))
            queries.append(profiler.queries)
            if n < 3:  # warm-up: templates compiled, caches filled, connections open
                runs.pop()
                totals.pop()
                queries.pop()
        if statuses != {200}:
            raise SystemExit(f"{path} answered {sorted(statuses)}")
        labels = sorted({label for run in runs for label in run})
        layers = {
            label: statistics.median(run.get(label, 0) for run in runs) / 1e6 for label in labels
        }
        result[name] = {
            "path": path,
            "total_ms": statistics.median(totals) / 1e6,
            "queries": statistics.median(queries),
            "layers_ms": dict(sorted(layers.items(), key=lambda item: -item[1])),
        }
    return result


def print_table(result: dict[str, Any]) -> None:
    for name, page in result.items():
        total = page["total_ms"]
        print(
            f"\n{name}  {page['path']}  median {total:.2f} ms and "
            f"{page['queries']:g} SQL queries a request"
        )
        print(f"  {'layer (exclusive time)':<68} {'ms':>7} {'share':>6}")
        for label, ms in page["layers_ms"].items():
            if ms >= 0.01:
                print(f"  {label[:68]:<68} {ms:7.2f} {ms / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default=ANATOMY_DATABASE_URL)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument(
        "--persona", choices=["citizen", "agency", "company", "expert"], default="citizen"
    )
    args = parser.parse_args()
    redis_url = args.redis_url or (
        ANATOMY_REDIS_URL if args.database_url == ANATOMY_DATABASE_URL else DEFAULT_REDIS_URL
    )

    prepare_database(args.database_url)
    setup_django(args.database_url, redis_url)
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # every cached part starts empty
    logging.getLogger("payam.request").setLevel(logging.WARNING)  # a line per request: not here
    from django.core.management import call_command

    from mailbox.models import Delivery

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", interactive=False, verbosity=0)  # the production manifest
    if args.database_url == ANATOMY_DATABASE_URL:
        call_command("seed_demo", allow_production=True, stdout=StringIO())
    if args.persona == "citizen":
        user = person_measured()
        letter = (
            Delivery.objects.filter(recipient__owner=user)
            .order_by("-delivered_at")
            .values_list("letter__tracking_code", flat=True)
            .first()
        )
        pages = {"home (signed in)": "/", "inbox": "/inbox/", "letter": f"/inbox/{letter}/"}
    else:
        user, pages = staff_pages(args.persona)
    result = measure(pages, user=user, requests=args.requests)
    print_table(result)
    suffix = "" if args.persona == "citizen" else f"-{args.persona}"
    out = write_result(
        f"page_anatomy{suffix}",
        {"person": user.username, "requests": args.requests, "pages": result},
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
