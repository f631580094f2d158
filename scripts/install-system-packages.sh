#!/usr/bin/env bash
# Debian packages the portal and its tests need: Chromium for browser tests, Pango and fonts
# for PDF letters (WeasyPrint), poppler-utils to read PDFs back, espeak-ng for the audio captcha,
# nginx (the reverse proxy of deploy/nginx/) and redis-server for the two-node test.
# Installs only what is missing; uses sudo when not root.
set -euo pipefail
needed=()
[ -x /usr/bin/chromium ] || needed+=(chromium)
command -v pdftotext >/dev/null || needed+=(poppler-utils)
command -v espeak-ng >/dev/null || needed+=(espeak-ng)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || needed+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || needed+=(libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || needed+=(fonts-dejavu-core)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || needed+=(nginx-light)
command -v redis-server >/dev/null || needed+=(redis-server)
[ ${#needed[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${needed[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
