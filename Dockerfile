# The API in a slim image: installs the package, migrates, loads reference data, serves with uvicorn.
# DATABASE_URL comes from the environment (default: embedded SQLite under /srv/api/var).
# In production mount the signing keys at /srv/api/var/keys (or set SIGNING_KEYS_DIR) and use PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HOST=0.0.0.0 \
    PORT=8000

WORKDIR /srv/api
RUN useradd --create-home --uid 10001 api

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install . && mkdir -p var keys && chown -R api:api var keys

USER api
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=3)" || exit 1

CMD ["sh", "-c", "python -m app setup && exec python -m app serve"]
