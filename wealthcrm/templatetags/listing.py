"""Sortable column headers and page sizes for list pages paged by ``keyset_page``."""

from django import template
from django.utils.html import format_html

register = template.Library()


def _query(base: str, **params) -> str:
    extra = "&".join(f"{key}={value}" for key, value in params.items() if value)
    return "?" + "&".join(part for part in (base, extra) if part)


@register.simple_tag
def sort_header(links, key: str, label, first: str = "asc"):
    """A header link sorting by ``key``: the first click sorts ``first`` (``asc``/``desc``), the next reverses;
    the arrow shows the sort in force. ``links`` is what ``keyset_page(..., sorts=...)`` returned."""
    current = links.get("sort", "")
    if current.removeprefix("-") == key:
        wanted = key if current.startswith("-") else f"-{key}"
        arrow = " ↓" if current.startswith("-") else " ↑"
    else:
        wanted, arrow = (f"-{key}" if first == "desc" else key), ""
    href = _query(links.get("base", ""), sort=wanted, size=links.get("size"))
    return format_html('<a class="sort{}" href="{}">{}{}</a>', " active" if arrow else "", href, label, arrow)


@register.simple_tag
def size_link(links, size: int) -> str:
    return _query(links.get("base", ""), sort=links.get("sort"), size=size)
