"""The other duties of one portfolio: mounted under /parcs/<portfolio_id>/."""

from django.urls import path

from . import views

app_name = "obligations"
urlpatterns = [
    path("locataires/<int:tenancy_id>/", views.tenancy, name="tenancy"),
    path("locataires/<int:tenancy_id>/impaye/", views.unpaid_new, name="unpaid_new"),
    path(
        "locataires/<int:tenancy_id>/impaye/verification/",
        views.unpaid_check,
        name="unpaid_check",
    ),
    path(
        "locataires/<int:tenancy_id>/depart/",
        views.change_new,
        {"kind": "departure"},
        name="departure_new",
    ),
    path(
        "locataires/<int:tenancy_id>/colocataires/",
        views.change_new,
        {"kind": "co_tenants"},
        name="co_tenants_new",
    ),
    path(
        "locataires/<int:tenancy_id>/fin-de-gestion/",
        views.change_new,
        {"kind": "end_of_management"},
        name="end_of_management_new",
    ),
    path("impayes/", views.unpaid_reports, name="unpaid_reports"),
    path("impayes/<int:unpaid_id>/", views.unpaid_report, name="unpaid_report"),
    path("impayes/<int:unpaid_id>/accuse.pdf", views.unpaid_report_pdf, name="unpaid_report_pdf"),
    path("impayes/<int:unpaid_id>/plan/", views.unpaid_plan, name="unpaid_plan"),
    path(
        "impayes/<int:unpaid_id>/plans/<int:plan_id>/",
        views.unpaid_plan_file,
        name="unpaid_plan_file",
    ),
    path("impayes/<int:unpaid_id>/solde/", views.unpaid_paid_off, name="unpaid_paid_off"),
    path("changements/", views.change_reports, name="change_reports"),
    path("changements/<int:change_id>/", views.change_report, name="change_report"),
    path(
        "changements/<int:change_id>/accuse.pdf",
        views.change_report_pdf,
        name="change_report_pdf",
    ),
    path("changements/<int:change_id>/corriger/", views.change_correct, name="change_correct"),
    path("changements/<int:change_id>/retirer/", views.change_withdraw, name="change_withdraw"),
]
