"""Every URL pattern of the project, found by walking the resolver (so that new ones cannot hide)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    route: str  # the full pattern text, e.g. "support/<int:pk>/"
    name: str | None  # namespaced, e.g. "support:detail"
    params: tuple[str, ...]  # what the URL takes: ids, tokens

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def _params(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    if regex is not None:
        return list(regex.groupindex) or [f"group{i}" for i in range(regex.groups)]
    return []


def all_routes() -> list[Route]:
    routes = []

    def walk(resolver, prefix, namespace, params):
        for entry in resolver.url_patterns:
            here = params + _params(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), inner, here)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else None
                routes.append(Route(prefix + str(entry.pattern), name, tuple(here)))

    walk(get_resolver(), "", "", [])
    return routes


def routes_with_params() -> list[Route]:
    return [r for r in all_routes() if r.params]
