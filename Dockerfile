# syntax=docker/dockerfile:1
# Tandem: one image for the web process (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml runs it; configuration comes from environment variables only.

# --- 1. Front-end assets: GOV.UK Frontend, MOJ Frontend and htmx copied into static/ -----
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY build-assets.mjs ./
RUN npm run build

# --- 2. Python packages: the runtime dependencies, pinned by requirements.lock -------------
FROM python:3.12-slim AS python-deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN pip install uv==0.13.8 && python -m venv /opt/venv
COPY pyproject.toml requirements.lock ./
# Dependencies of pyproject.toml (no dev extras), at the versions in the lock file.
RUN uv pip install --no-cache --python /opt/venv/bin/python \
        -r pyproject.toml -c requirements.lock

# --- 3. The application ---------------------------------------------------------------------
FROM python:3.12-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    WEB_CONCURRENCY=3 \
    MPLCONFIGDIR=/app/var/matplotlib
RUN groupadd --system tandem \
    && useradd --system --gid tandem --home-dir /app --shell /usr/sbin/nologin tandem
WORKDIR /app
COPY --from=python-deps /opt/venv /opt/venv
COPY . .
COPY --from=assets /src/static/ ./static/
# Static files are collected at build time; the settings need some values to import, so give
# them throw-away ones that exist only for this step (nothing connects to these URLs).
RUN SECRET_KEY=build-time-only-not-a-secret \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    DEBUG=false \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/matplotlib \
    && chown -R tandem:tandem /app/var
# The code stays owned by root and read-only to the app; /app/var is for beat's schedule and
# matplotlib's font cache (the report charts).
USER tandem
EXPOSE 8000
# gunicorn reads WEB_CONCURRENCY for its number of workers. Its timeout (40 s) is twice the
# web processes' statement timeout (WEB_STATEMENT_TIMEOUT_SECONDS, 20 s), so a request held up
# by a slow query is answered with "This page took too long" before gunicorn would kill the
# worker serving it.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--timeout", "40"]
