"""Public pages that belong to no domain: the home page and the friendly CSRF refusal."""

from django.shortcuts import render


def home(request):
    return render(request, "common/home.html")


def csrf_failure(request, reason=""):
    """A stale or foreign form: say that nothing was recorded and how to start again."""
    return render(request, "403_csrf.html", status=403)
