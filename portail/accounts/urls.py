from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.sign_in, name="sign_in"),
    path("deconnexion/", views.sign_out, name="sign_out"),
    path("session/prolonger/", views.keepalive, name="keepalive"),
]
