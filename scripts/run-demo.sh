#!/usr/bin/env bash
# `make run`: migrate the SQLite database under var/, load the demo once, then run the web
# server and the background workers (one per task queue) together until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
export DEBUG=true
# E-mails go to a local SMTP sink; the development mailbox (/dev/courriers/) shows them.
export EMAIL_URL=smtp://127.0.0.1:${SMTP_PORT:-1025}
$py manage.py migrate --noinput -v0
demo=$($py manage.py load_demo)
trap 'kill 0' EXIT INT TERM
$py manage.py dev_smtp --port "${SMTP_PORT:-1025}" >var/smtp.log 2>&1 &
# One worker per task queue (config/settings.py): e-mails never wait behind a file of rents.
$py manage.py db_worker --no-reload --queue-name mail >var/worker-mail.log 2>&1 &
$py manage.py db_worker --no-reload --queue-name files >var/worker-files.log 2>&1 &
$py manage.py db_worker --no-reload --queue-name default >var/worker.log 2>&1 &
$py manage.py deliver_outbox --loop 60 >var/outbox.log 2>&1 &
$py manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload >var/server.log 2>&1 &
for _ in $(seq 60); do
  $py -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${PORT:-8000}/', timeout=2)" \
    2>/dev/null && break
  sleep 1
done
cat <<MSG

  Espace bailleur (demo) : http://127.0.0.1:${PORT:-8000}/
  Agency back office     : http://127.0.0.1:${PORT:-8000}/agence/
                           (.venv/bin/python manage.py create_staff NAME --role supervisor)
  Mails and letters sent : http://127.0.0.1:${PORT:-8000}/dev/courriers/  (development mailbox)
$demo

  Logs: var/server.log (web), var/worker-mail.log, var/worker-files.log and var/worker.log
        (background workers: e-mails, files of rents, the rest), var/smtp.log (mail sink).
  Ctrl+C stops them all.
MSG
wait
