"""Mes courriers: the e-mails and letters sent to the token's creator (subjects, no bodies)."""

from django.utils.dateparse import parse_datetime
from ninja import Query, Router

from portail.correspondence.selectors import correspondence_of_user

from .. import pagination
from ..queries import query_parameters
from ..schemas import MessagePage, ProblemOut

router = Router(tags=["correspondence"])


@router.get(
    "/correspondence",
    response={200: MessagePage, 422: ProblemOut},
    operation_id="list_correspondence",
)
@query_parameters("cursor", "limit")
def list_correspondence(
    request,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.LARGEST_LIMIT),
):
    """E-mails and letters sent to the account, newest first: subject and date, never the
    body (a message may have carried a temporary password)."""
    messages = (
        correspondence_of_user(request.user)
        .select_related(None)
        .only("id", "kind", "channel", "subject", "sent_at")
    )
    after = pagination.decode(cursor, str, int)
    if after is not None:
        try:
            sent_at, pk = parse_datetime(after[0]), after[1]
        except ValueError:
            sent_at = None
        if sent_at is None:
            raise pagination.invalid()
        messages = messages.filter(sent_at__lte=sent_at).exclude(sent_at=sent_at, pk__gte=pk)
    page = list(messages[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    items = [
        {
            "id": m.pk,
            "kind": m.kind,
            "channel": m.channel,
            "subject": m.subject,
            "sent_at": m.sent_at,
        }
        for m in page
    ]
    next_cursor = pagination.encode([page[-1].sent_at.isoformat(), page[-1].pk]) if more else None
    return {"items": items, "next_cursor": next_cursor}
