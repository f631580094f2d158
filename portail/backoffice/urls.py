from django.urls import path
from django.views.generic import RedirectView

from . import obligations_views, views

app_name = "backoffice"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:search"), name="home"),
    path("connexion/", views.sign_in, name="sign_in"),
    path("connexion/code/", views.code, name="code"),
    path("connexion/application/", views.enrol, name="enrol"),
    path("bailleurs/", views.search_landlords, name="search"),
    path("bailleurs/<int:landlord_id>/", views.landlord, name="landlord"),
    path("bailleurs/<int:landlord_id>/adresse/", views.change_address, name="change_address"),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/identifiant/",
        views.resend_identifier,
        name="resend_identifier",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/mot-de-passe/",
        views.new_temporary_password,
        name="new_temporary_password",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/debloquer/",
        views.unlock,
        name="unlock",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/mail/",
        views.change_email,
        name="change_email",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/desactiver/",
        views.disable,
        name="disable",
    ),
    path("quittances/", views.receipts, name="receipts"),
    path("quittances/<int:receipt_id>/", views.receipt, name="receipt"),
    path("quittances/<int:receipt_id>/fichier", views.receipt_file, name="receipt_file"),
    path("impayes/", obligations_views.unpaid_queue, name="unpaid_queue"),
    path("impayes/<int:report_id>/", obligations_views.unpaid_detail, name="unpaid_detail"),
    path(
        "impayes/<int:report_id>/plans/<int:plan_id>",
        obligations_views.plan_file,
        name="plan_file",
    ),
    path("changements/", obligations_views.change_queue, name="change_queue"),
    path("changements/<int:report_id>/", obligations_views.change_detail, name="change_detail"),
    path("campagne/", views.campaign, name="campaign"),
    path("campagne/dates/", views.campaign_dates, name="campaign_dates"),
    path("campagne/relances/", views.send_reminders, name="send_reminders"),
    path("campagne/loyers.csv", views.export_rents, name="export_rents"),
    path("courriers/", views.correspondence, name="correspondence"),
    path("courriers/<int:message_id>/renvoyer/", views.retry, name="retry"),
    path("courriers/lot/", views.print_letters, name="print_letters"),
    path("courriers/lots/<str:name>", views.letter_batch, name="letter_batch"),
]
