"""bench/api.py's second reference: the minimal endpoint that writes. The API's framework and
token check (django-ninja, portail.api.auth.TokenAuth: the token read, its rate counted, its
use noted), then one row of the portal's own tables (an event) inserted in a transaction and
committed durably, as PostgreSQL commits every declaration (synchronous_commit on): a write's
floor (BEGIN, INSERT, COMMIT and its WAL flush), against which a declaration's own work is
read. The portal's URLs follow, unchanged."""

from django.db import transaction
from django.urls import path
from ninja import NinjaAPI

from config.urls import urlpatterns as portal_urlpatterns
from portail.api.auth import TokenAuth
from portail.events.models import DomainEvent

reference = NinjaAPI(urls_namespace="bench-reference", auth=TokenAuth(), docs_url=None)


@reference.post("/write")
def write_one_row(request):
    with transaction.atomic():
        event = DomainEvent.objects.create(
            kind="bench.write", landlord_id=request.auth.landlord_id, data={}
        )
    return {"id": str(event.id)}


urlpatterns = [path("bench/", reference.urls), *portal_urlpatterns]
