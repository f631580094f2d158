"""Portfolios a token reaches."""

from ninja import Router

from ..queries import query_parameters
from ..schemas import PortfolioList, PortfolioOut, ProblemOut
from ..selectors import portfolio_of_token, portfolios_of_token

router = Router(tags=["portfolios"])


def _out(portfolio) -> dict:
    return {
        "id": portfolio.pk,
        "ref": portfolio.ref,
        "name": portfolio.name,
        "may_declare": portfolio.may_declare,
    }


@router.get("/portfolios", response={200: PortfolioList}, operation_id="list_portfolios")
@query_parameters()
def list_portfolios(request):
    """The portfolios of this token that its creator may still see."""
    return {"items": [_out(p) for p in portfolios_of_token(request.auth)]}


@router.get(
    "/portfolios/{portfolio_id}",
    response={200: PortfolioOut, 404: ProblemOut},
    operation_id="get_portfolio",
)
@query_parameters()
def get_portfolio(request, portfolio_id: int):
    """One portfolio of this token; 404 for any other, whoever owns it."""
    return _out(portfolio_of_token(request.auth, portfolio_id))
