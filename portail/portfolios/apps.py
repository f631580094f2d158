from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "portail.portfolios"
    label = "portfolios"
    verbose_name = "Parcs et locataires"
