from django.urls import path

from . import views

app_name = "correspondence"
urlpatterns = [
    path("courriers/", views.history, name="history"),
    path("courriers/<int:message_id>/", views.message_detail, name="message"),
    path("courriers/<int:message_id>/courrier.pdf", views.letter_pdf, name="letter_pdf"),
    path("dev/courriers/", views.dev_mailbox, name="dev_mailbox"),
    path("dev/courriers/mail/<str:key>/", views.dev_email_html, name="dev_email"),
    path("dev/courriers/lettre/<str:name>", views.dev_letter, name="dev_letter"),
]
