"""Rents of one portfolio: mounted under /parcs/<portfolio_id>/ (the portfolio is in the URL)."""

from django.urls import path

from . import tenant_views, views

app_name = "rents"
urlpatterns = [
    path("locataires/", tenant_views.tenants, name="tenants"),
    path("locataires/export.csv", tenant_views.export_csv, name="export_csv"),
    path("locataires/export.xlsx", tenant_views.export_xlsx, name="export_xlsx"),
    path("locataires/<int:tenancy_id>/loyer/", views.declare, name="declare"),
    path("locataires/<int:tenancy_id>/quittance/", views.receipt, name="receipt"),
    path("accuses/", views.history, name="history"),
    path("accuses/<int:submission_id>/", views.acknowledgement, name="acknowledgement"),
    path(
        "accuses/<int:submission_id>/accuse.pdf",
        views.acknowledgement_pdf,
        name="acknowledgement_pdf",
    ),
    path("depots/", views.bulk_new, name="bulk_new"),
    path("depots/<int:import_id>/", views.bulk_detail, name="bulk_detail"),
    path("depots/<int:import_id>/erreurs.csv", views.bulk_errors, name="bulk_errors"),
    path("depots/<int:import_id>/enregistrer/", views.bulk_record, name="bulk_record"),
]
