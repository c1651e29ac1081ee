# lisplan's container image: gunicorn + WhiteNoise (scripts/serve) or the worker (lisplan worker).
# docker compose up (compose.yaml) runs PostgreSQL, the web server and the worker.

# Front-end assets (Designsystemet, htmx) from npm, as scripts/build-assets does.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
RUN mkdir -p vendor \
 && cp node_modules/@digdir/designsystemet-css/dist/src/index.css vendor/designsystemet.css \
 && cp node_modules/@digdir/designsystemet-theme/src/themes/designsystemet.css vendor/designsystemet-theme.css \
 && cp node_modules/htmx.org/dist/htmx.min.js vendor/htmx.min.js

FROM python:3.11-slim-bookworm
# Pango and fonts for the PDFs (WeasyPrint), gettext for the translations, the PostgreSQL
# client for scripts/backup and scripts/restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      fonts-dejavu-core gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /app lisplan
WORKDIR /app
COPY --chown=lisplan:lisplan pyproject.toml README.md requirements.lock ./
COPY --chown=lisplan:lisplan src ./src
COPY --chown=lisplan:lisplan scripts ./scripts
COPY --chown=lisplan:lisplan --from=assets /build/vendor ./src/lisplan/static/vendor
USER lisplan
# The same pinned versions as scripts/bootstrap and CI (requirements.lock as constraints).
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir --quiet -e . -c requirements.lock
RUN cd src/lisplan && LISPLAN_DEBUG=1 ../../.venv/bin/lisplan compilemessages -v0 \
 && cd /app && LISPLAN_INSECURE_DEFAULT_KEY=1 LISPLAN_STATIC_FINDERS=1 \
      .venv/bin/lisplan collectstatic --noinput -v0

ENV PORT=8000 \
    LISPLAN_SKIP_BOOTSTRAP=1 \
    LISPLAN_VAR_DIR=/app/var \
    LISPLAN_MEDIA_ROOT=/app/var/media \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen('http://127.0.0.1:%s/helse/?del=web' % os.environ.get('PORT','8000'), timeout=8)"
CMD ["scripts/serve"]
