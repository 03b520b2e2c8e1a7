"""gunicorn's application for bench/inbox_load.py: the portal exactly as
payam.wsgi serves it (production settings, every middleware), with one more URL,
/bench/plain/, a view that answers "ok" and does nothing else — the ceiling the
run's pages are compared with."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.production")
settings.ROOT_URLCONF = "bench.urls"  # read before Django is set up below
application = get_wsgi_application()
