#!/usr/bin/env bash
# `make run`: migrate the SQLite database under var/, load the demo once, then run the web
# server and the background worker together until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
export DEBUG=true
$py manage.py migrate --noinput -v0
demo=$($py manage.py load_demo)
trap 'kill 0' EXIT INT TERM
$py manage.py db_worker --no-reload >var/worker.log 2>&1 &
$py manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload >var/server.log 2>&1 &
for _ in $(seq 60); do
  $py -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${PORT:-8000}/', timeout=2)" \
    2>/dev/null && break
  sleep 1
done
cat <<MSG

  Espace bailleur (demo) : http://127.0.0.1:${PORT:-8000}/
  Back office            : http://127.0.0.1:${PORT:-8000}/gestion/  (python manage.py createsuperuser)
$demo

  Logs: var/server.log (web), var/worker.log (background worker). Ctrl+C stops both.
MSG
wait
