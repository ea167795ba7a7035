#!/usr/bin/env bash
# What bench/load.py needs beyond the project's Python packages: wrk (Debian's package) and a PostgreSQL.
set -euo pipefail
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL on 127.0.0.1:5432 is needed" >&2; exit 1; }
