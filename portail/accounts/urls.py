from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.sign_in, name="sign_in"),
    path("deconnexion/", views.sign_out, name="sign_out"),
    path("session/prolonger/", views.keepalive, name="keepalive"),
    path("mot-de-passe/", views.change_password, name="change_password"),
    path("mail/", views.give_email, name="give_email"),
    path("mail/code/", views.confirm_email, name="confirm_email"),
    path("identifiant-perdu/", views.lost_identifier, name="lost_identifier"),
    path(
        "identifiant-perdu/confirmer/",
        views.lost_identifier_confirm,
        name="lost_identifier_confirm",
    ),
    path("identifiant-perdu/envoye/", views.lost_identifier_sent, name="lost_identifier_sent"),
    path("mot-de-passe-perdu/", views.lost_password, name="lost_password"),
    path("mot-de-passe-perdu/envoye/", views.lost_password_sent, name="lost_password_sent"),
    path("mot-de-passe-perdu/courrier/", views.lost_password_letter, name="lost_password_letter"),
    path(
        "mot-de-passe-perdu/courrier/envoye/",
        views.lost_password_letter_sent,
        name="lost_password_letter_sent",
    ),
    path("captcha/audio/<str:key>.wav", views.captcha_audio, name="captcha_audio"),
]
