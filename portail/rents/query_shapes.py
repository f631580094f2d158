"""SQL of ORM queries compiled once per process for each shape, for queries run very often with
different ids only (a declaration's refresh of its kept states): compiling such a query cost
more CPU than the database spends running it (campaign_state, docs/performance.md)."""

from collections.abc import Callable

_SHAPES: dict[tuple, tuple[str, list, list[tuple[int, int]]]] = {}
# Only the shapes of a few ids are kept (a declaration's one, a file's or the feed's chunk of
# up to 500 would keep a long SQL for each size met): a process keeps a bounded few.
MAX_IDS_KEPT = 8


def sql_for_ids(
    shape: tuple, ids: list[int], build: Callable[[list[int]], tuple[str, list]]
) -> tuple[str, list]:
    """``build(ids)``'s SQL and parameters (ids distinct), compiled once for this shape and
    this number of ids (up to MAX_IDS_KEPT; more are compiled each time): with ids no row has
    (negative), each then found among the parameters and replaced by its place in ``ids``. If
    they are not found exactly ``shape[0]`` times each (the times each id is used), nothing is
    kept and ``build`` runs with the real ids."""
    if len(ids) > MAX_IDS_KEPT:
        return build(ids)
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
