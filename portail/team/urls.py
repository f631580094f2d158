from django.urls import path

from . import views

app_name = "team"
urlpatterns = [
    path("", views.team, name="team"),
    path("ajouter/", views.add_member, name="add"),
    path("<int:user_id>/", views.member, name="member"),
    path("<int:user_id>/suspendre/", views.suspend, name="suspend"),
    path("<int:user_id>/reactiver/", views.reactivate, name="reactivate"),
    path("<int:user_id>/retirer/", views.remove, name="remove"),
    path("adresse-mail/", views.contact_email, name="contact_email"),
    path("journal/", views.journal, name="journal"),
]
