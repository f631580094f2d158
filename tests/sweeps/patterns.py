"""Every URL pattern of the portal, and concrete paths for it from given or generated ids.

Read from the URL configuration itself (``get_resolver``), so a pattern added tomorrow is swept
tomorrow without a line here.
"""

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", for reverse()
    route: str  # the whole route, for messages
    kwargs: tuple[tuple[str, str], ...]  # (name, "int" or "str") of each URL argument

    @property
    def kwarg_names(self) -> set[str]:
        return {name for name, _ in self.kwargs}


def _kinds(pattern) -> list[tuple[str, str]]:
    converters = getattr(pattern, "converters", {})
    names = list(pattern.regex.groupindex)
    return [
        (name, "int" if isinstance(converters.get(name), IntConverter) else "str") for name in names
    ]


def url_patterns() -> list[Pattern]:
    """Every named pattern reachable from the root URL configuration."""
    found: list[Pattern] = []

    def walk(entries, namespace: str, route: str, kwargs: list):
        for entry in entries:
            here = route + str(entry.pattern)
            args = kwargs + _kinds(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, here, args)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append(Pattern(f"{namespace}{entry.name}", here, tuple(args)))

    walk(get_resolver().url_patterns, "", "/", [])
    unique = {pattern.name: pattern for pattern in found}
    return sorted(unique.values(), key=lambda pattern: pattern.name)


def path_for(pattern: Pattern, values: dict[str, object]) -> str | None:
    """The path of the pattern with these argument values (text, ints or raw bytes, each
    percent-encoded as a client would send it), or None when the pattern refuses them."""
    placeholders = {
        name: (987654321000 + index if kind == "int" else f"zzarg{index}zz")
        for index, (name, kind) in enumerate(pattern.kwargs)
    }
    try:
        path = reverse(pattern.name, kwargs=placeholders)
    except NoReverseMatch:
        # A pattern with a closed list (the admin's app labels): only real values fit.
        try:
            return reverse(pattern.name, kwargs={k: values[k] for k in pattern.kwarg_names})
        except (NoReverseMatch, KeyError):
            return None
    for name, placeholder in placeholders.items():
        value = values[name]
        raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
        path = path.replace(str(placeholder), urllib.parse.quote(raw, safe=""))
    return path


def query_parameter_names() -> list[str]:
    """The query parameters the portal's code reads (request.GET...), found in its source."""
    names = set()
    expression = re.compile(r"""GET(?:\.get|\.getlist|\[)\(?\s*["'](\w+)["']""")
    for source in (REPO / "portail").rglob("*.py"):
        names.update(expression.findall(source.read_text()))
    # The admin's changelist reads these (search, order, page, errors, popups, filters).
    names.update({"q", "o", "p", "e", "_popup", "_to_field", "_changelist_filters", "all"})
    return sorted(names)
