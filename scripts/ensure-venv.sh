#!/usr/bin/env bash
# Create the small virtual environment that holds uv. Debian and Ubuntu ship `venv` apart.
set -euo pipefail
python=$1 target=$2
[ -x "$target/bin/pip" ] && exit 0
if ! "$python" -m venv "$target" 2>/dev/null; then
  rm -rf "$target"
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq "python${version}-venv" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq "python${version}-venv" >/dev/null
  else
    echo "Python's venv module is missing: install python${version}-venv, then run make again." >&2
    exit 1
  fi
  "$python" -m venv "$target"
fi
