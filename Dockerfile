# Production image: the same Makefile targets as a developer uses.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=payam.settings.production \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy

# pango for WeasyPrint (letters as PDF); HarfBuzz's subsetter embeds their font fast.
RUN apt-get update \
 && apt-get install -y --no-install-recommends make gettext \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml uv.lock Makefile ./
RUN make venv UV_SYNC_FLAGS=--no-dev

COPY . .
RUN touch .venv/.synced \
 && SECRET_KEY=collectstatic-only-0123456789abcdefghijklmnopqrstuvwxyzABCD \
    SMS_CALLBACK_SECRET=collectstatic-only-0123456789abcdefghijkl \
    LETTER_VERIFY_KEY=collectstatic-only-0123456789abcdefghijkl \
    ALLOWED_HOSTS=localhost make collectstatic \
 && useradd --system --uid 1000 --home /app payam \
 && mkdir -p /app/media \
 && chown -R payam /app/media

USER payam
EXPOSE 8000
CMD ["make", "serve"]
