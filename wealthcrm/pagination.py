from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pagination: no COUNT(*) and constant cost at any depth of a million-row list."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
