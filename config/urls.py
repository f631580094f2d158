from django.contrib import admin
from django.urls import include, path

from portail.api.api import api

admin.site.site_header = "Espace bailleur – administration"
admin.site.site_title = "Espace bailleur"

# An unreachable database or Redis answers 503 « Service momentanément indisponible ».
handler500 = "portail.common.availability.server_error"

urlpatterns = [
    path("", include("portail.common.urls")),
    path("compte/", include("portail.accounts.urls")),
    path("parcs/", include("portail.portfolios.urls")),
    path("parcs/<int:portfolio_id>/", include("portail.rents.urls")),
    path("parcs/<int:portfolio_id>/", include("portail.obligations.urls")),
    path("parcs/<int:portfolio_id>/paiements/", include("portail.payments.urls")),
    path("conseils/", include("portail.help.urls")),
    path("equipe/", include("portail.team.urls")),
    path("captcha/", include("captcha.urls")),
    path("", include("portail.correspondence.urls")),
    path("agence/", include("portail.backoffice.urls")),
    path("gestion/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("portail.api.urls")),
]
