"""The one clock of the portal: every validity period and campaign date reads the time here.

Tests move time with time-machine; a server started under a faked system time honours it.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current instant, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the agency's time zone (Europe/Paris)."""
    return timezone.localdate(now())
