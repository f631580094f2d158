#!/usr/bin/env bash
# `make serve`: the production profile on PostgreSQL and Redis, all processes of one node:
# gunicorn (web), one django-tasks worker per task queue, the outbox sweep. Each process is
# restarted if it dies (as systemd would); Ctrl+C or TERM stops them all.
# Needs DATABASE_URL (postgres://), CACHE_URL (redis://) and SECRET_KEY; README.md lists the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database, e.g. postgres://user@host:5432/portail}"
: "${CACHE_URL:?CACHE_URL must name the shared Redis, e.g. redis://127.0.0.1:6379/1}"
: "${SECRET_KEY:?SECRET_KEY must be set (python3 -c "import secrets; print(secrets.token_urlsafe(50))")}"
case "$DATABASE_URL" in postgres*://*) ;; *) echo "DATABASE_URL must be PostgreSQL" >&2; exit 2 ;; esac
case "$CACHE_URL" in redis*://*) ;; *) echo "CACHE_URL must be Redis" >&2; exit 2 ;; esac
export DEBUG=false
mkdir -p var/log

$py manage.py migrate --noinput -v0
$py manage.py collectstatic --noinput -v0
# One worker per queue the settings declare (TASKS["default"]["QUEUES"], "default" if none):
# e-mails never wait behind files of rents once they have queues of their own.
queues=$($py manage.py shell -v0 -c \
  'from django.conf import settings; print(" ".join(settings.TASKS["default"].get("QUEUES") or ["default"]))')

supervise() {  # name command...: run, and start again 2 s after it exits
  local name=$1
  shift
  while true; do
    "$@" >>"var/log/$name.log" 2>&1 || true
    echo "$(date -u +%FT%TZ) $name exited, restarting" >>var/log/supervisor.log
    sleep 2
  done
}

# Background work yields the cores to the pages: a page is waited for by a person, a reminder
# or a file's check can take a few seconds more (README "Production", BACKGROUND_NICE).
background="nice -n ${BACKGROUND_NICE:-10}"

trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM
for queue in $queues; do
  supervise "worker-$queue" $background $py manage.py db_worker --queue-name "$queue" --no-reload &
done
supervise outbox $background $py manage.py deliver_outbox --loop "${OUTBOX_SWEEP_SECONDS:-60}" &
supervise web .venv/bin/gunicorn config.wsgi -c config/gunicorn.py &
echo "Espace bailleur (production profile): http://${BIND:-127.0.0.1:${PORT:-8000}}/ —" \
  "health at /health/; workers for queues: $queues; logs in var/log/. Ctrl+C stops all."
wait
