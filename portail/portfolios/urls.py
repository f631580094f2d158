from django.urls import path

from . import views

app_name = "portfolios"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:portfolio_id>/locataires/", views.tenants, name="tenants"),
    path("<int:portfolio_id>/locataires/export.csv", views.export_csv, name="export_csv"),
    path("<int:portfolio_id>/locataires/export.xlsx", views.export_xlsx, name="export_xlsx"),
]
