"""SQL of ORM queries compiled once per process for each shape, for queries run very often with
different ids only (a declaration's refresh of its kept states): compiling such a query cost
more CPU than the database spends running it (campaign_state, docs/performance.md)."""

from collections.abc import Callable

_SHAPES: dict[tuple, tuple[str, list, list[tuple[int, int]]]] = {}


def sql_for_ids(
    shape: tuple, ids: list[int], build: Callable[[list[int]], tuple[str, list]]
) -> tuple[str, list]:
    """``build(ids)``'s SQL and parameters (ids distinct), compiled once for this shape and
    this number of ids: with ids no row has (negative), each then found among the parameters
    and replaced by its place in ``ids``. If they are not all found exactly once, or found
    more often than ``shape`` says (``shape[0]``: the times each id is used), nothing is kept
    and ``build`` runs with the real ids."""
    key = (*shape, len(ids))
    compiled = _SHAPES.get(key)
    if compiled is None:
        marks = [-(10**12) - index for index in range(len(ids))]
        sql, params = build(marks)
        place = {mark: index for index, mark in enumerate(marks)}
        slots = [
            (position, place[value])
            for position, value in enumerate(params)
            if type(value) is int and value in place
        ]
        if len(slots) != len(ids) * shape[0]:
            return build(ids)
        compiled = _SHAPES[key] = (sql, params, slots)
    sql, params, slots = compiled
    params = list(params)
    for position, index in slots:
        params[position] = ids[index]
    return sql, params
