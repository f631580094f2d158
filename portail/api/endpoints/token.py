"""The token itself: what software can check first (and the benchmark's minimal endpoint)."""

from ninja import Router

from ..queries import query_parameters
from ..schemas import TokenOut

router = Router(tags=["token"])


@router.get("/token", response={200: TokenOut}, operation_id="get_token")
@query_parameters()
def get_token(request):
    """The token of this request: its name, scopes and expiry; nothing read beyond the
    token check itself."""
    token = request.auth
    return {
        "name": token.name,
        "scopes": token.scopes,
        "expires_at": token.expires_at,
    }
