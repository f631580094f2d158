"""Values every template needs: the agency's name, the site address and the idle timeout."""

from django.conf import settings


def portal(request):
    return {
        "agency_name": settings.AGENCY_NAME,
        "agency_phone": settings.AGENCY_PHONE,
        "site_url": settings.SITE_URL,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
        "debug_mode": settings.DEBUG,
    }
