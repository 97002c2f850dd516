"""Addresses of the suite's PostgreSQL and Redis for tests that start real processes (workers, servers)."""

from urllib.parse import urlparse, urlunparse

from django.conf import settings


def database_url(name: str) -> str:
    """The suite's PostgreSQL server, database ``name``."""
    return urlunparse(urlparse(settings.DATABASE_URL)._replace(path=f"/{name}"))


def redis_url(db: int) -> str:
    """The suite's Redis server, database ``db`` (TCP or the embedded server's unix socket)."""
    url = settings.REDIS_URL
    if url.startswith("redis://"):
        return urlunparse(urlparse(url)._replace(path=f"/{db}"))
    return f"{url}?virtual_host={db}"
