"""The help page (Conseils), the accessibility statement and the contact page."""

from django.shortcuts import render

from .difficulties import DIFFICULTIES


def index(request):
    return render(request, "help/index.html", {"difficulties": DIFFICULTIES})


def accessibility(request):
    return render(request, "help/accessibility.html")


def contact(request):
    return render(request, "help/contact.html")
