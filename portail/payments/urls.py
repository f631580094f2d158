"""Direct payments of one portfolio: mounted under /parcs/<portfolio_id>/paiements/."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.payments, name="payments"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("releve/<int:year>/<int:month>.pdf", views.statement_pdf, name="statement_pdf"),
    path("locataires/<int:tenancy_id>/", views.tenancy, name="tenancy"),
]
