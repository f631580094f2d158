from django.urls import path
from django.views.generic import RedirectView

from .views import authentication, campaign, landlords, outbox, receipts

app_name = "backoffice"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:search"), name="home"),
    path("connexion/", authentication.sign_in, name="sign_in"),
    path("connexion/code/", authentication.code, name="code"),
    path("connexion/application/", authentication.enrol, name="enrol"),
    path("bailleurs/", landlords.search_landlords, name="search"),
    path("bailleurs/<int:landlord_id>/", landlords.landlord, name="landlord"),
    path("bailleurs/<int:landlord_id>/adresse/", landlords.change_address, name="change_address"),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/identifiant/",
        landlords.resend_identifier,
        name="resend_identifier",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/mot-de-passe/",
        landlords.new_temporary_password,
        name="new_temporary_password",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/debloquer/",
        landlords.unlock,
        name="unlock",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/mail/",
        landlords.change_email,
        name="change_email",
    ),
    path(
        "bailleurs/<int:landlord_id>/utilisateurs/<int:user_id>/desactiver/",
        landlords.disable,
        name="disable",
    ),
    path("quittances/", receipts.receipts, name="receipts"),
    path("quittances/<int:receipt_id>/", receipts.receipt, name="receipt"),
    path("quittances/<int:receipt_id>/fichier", receipts.receipt_file, name="receipt_file"),
    path("campagne/", campaign.campaign, name="campaign"),
    path("campagne/dates/", campaign.campaign_dates, name="campaign_dates"),
    path("campagne/relances/", campaign.send_reminders, name="send_reminders"),
    path("campagne/loyers.csv", campaign.export_rents, name="export_rents"),
    path("courriers/", outbox.correspondence, name="correspondence"),
    path("courriers/<int:message_id>/renvoyer/", outbox.retry, name="retry"),
    path("courriers/lot/", outbox.print_letters, name="print_letters"),
    path("courriers/lots/<str:name>", outbox.letter_batch, name="letter_batch"),
]
