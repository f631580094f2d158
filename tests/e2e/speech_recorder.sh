#!/bin/sh
# Stands in for espeak-ng in the browser tests (CAPTCHA_SPEECH_PATH): writes down the text the
# portal asked to be said (the last argument) in $SPEECH_LOG, then says it with espeak-ng.
for said; do :; done
printf '%s\n' "$said" >> "${SPEECH_LOG:?}"
exec /usr/bin/espeak-ng "$@"
