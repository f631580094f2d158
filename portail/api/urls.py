"""The page « Accès pour vos logiciels » (tokens and webhooks of a landlord)."""

from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("acces-logiciels/", views.access, name="access"),
    path("acces-logiciels/jetons/nouveau/", views.new_token, name="new_token"),
    path("acces-logiciels/jetons/<int:token_id>/revoquer/", views.revoke, name="revoke"),
    path("acces-logiciels/notifications/nouvelle/", views.new_webhook, name="new_webhook"),
    path(
        "acces-logiciels/notifications/<int:endpoint_id>/supprimer/",
        views.remove_webhook,
        name="remove_webhook",
    ),
]
