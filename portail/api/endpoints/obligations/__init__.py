"""Unpaid-rent reports and reported changes (departures, co-tenants, end of management): the
screens' forms check the fields (their French messages) and portail.obligations' services
write (their rules and refusals). Reading takes a read token; reporting, correcting and the
later steps of an unpaid rent (repayment plan, debt paid off), a declare token. The lists are
paginated by cursor, newest first. One module per resource: ``unpaid`` (unpaid-rent reports),
``changes`` (reported changes); ``common`` what they share (``once``, the pages, the
parameters), both routers mounted under this one and its tag."""

from ninja import Router

from . import changes, unpaid

router = Router(tags=["obligations"])
router.add_router("", unpaid.router)
router.add_router("", changes.router)
