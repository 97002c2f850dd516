"""Every URL pattern, as every role, with malformed ids and query strings: never a 500 (robustness)."""

import re

import pytest
from django.test import Client as WebClient
from django.urls import URLPattern, URLResolver, get_resolver

from referrals.choices import ReferralAction

ACTIONS = [*ReferralAction.values, "nope"]
SKIP_PREFIXES = ("admin/", "api/schema", "api/docs", "logout/", "i18n/", "static/", "media/")
NASTY_QUERIES = [
    "",
    "?after=%C2%B2&before=%C2%B2&page=%C2%B2&page_size=100000000&limit=999999999&cursor=%00garbage&unit=abc"
    "&tier=nope&advisor=abc&org_unit=x&aum_min=NaN&aum_max=1e999&near_threshold=maybe&format=csv&tab=%00",
    "?search=%E2%80%AE%3Cscript%3E%27%22&status=zzz&sla_breached=2&period=2026-13&month=99&unread=x"
    "&start=2026-02-30&end=x&client=1.5&staff=%F0%9F%98%80&year=abc&recommended_after=2026-02-30",
    "?after=99999999999999999999999&before=-1&org_unit=99999999999999999999&advisor=99999999999999999999"
    "&unit=%C2%B2&action=%00&effective_after=x&effective_before=y&occurred_after=z&as_of=x",
]
POST_BODIES = [{}, {"advisor": "²", "field": "\x00", "reason": "x", "row": "board", "kind": "work",
                    "start": "2026-02-30", "end": "x"},
               {"field": "id_number", "advisor": "abc", "note": "x" * 5000, "client": "%00",
                    "status": "zzz", "period": "x", "month": "13", "kind": "nope", "file": ""}]


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(pattern: str, ids: list[str]) -> list[str]:
    """Fill converters and regex groups with each candidate id; drop the regex anchors."""
    text = pattern.replace("^", "").replace("$", "").replace("\\.", ".")
    text = re.sub(r"\(\?P<format>[^)]*\)", "json", text)
    text = re.sub(r"\.\(\?P<format>.*", "", text)
    results = []
    if "<slug:action>" in text:
        return sorted({u for action in ACTIONS for u in _concrete(text.replace("<slug:action>", action), ids)})
    for value in ids:
        filled = re.sub(r"<(?:\w+:)?(\w+)>", value, text)
        filled = re.sub(r"\(\?P<\w+>[^)]*\)", value, filled)
        results.append("/" + filled.replace("//", "/"))
    return sorted(set(results))


# transaction=True: a request that breaks the transaction must not hide the next 500 behind it;
# serialized_rollback: its flush must not drop migration data (the default tier policy) for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_url_gives_500_for_any_role_or_input(bank, world):
    ids = [str(world.mine.pk), str(world.south.pk), str(world.referral.pk), "0", "99999999999999999999", "contact"]
    urls = sorted({u for p in _patterns(get_resolver()) if not p.startswith(SKIP_PREFIXES)
                   for u in _concrete(p, ids)})
    users = [bank.head_office, bank.north_manager, bank.advisor, bank.hall, None]
    failures = []
    for user in users:
        web = WebClient(raise_request_exception=False, HTTP_ACCEPT="text/html")
        if user is not None:
            web.force_login(user)
        for url in urls:
            for query in NASTY_QUERIES:
                response = web.get(url + query)
                if response.status_code >= 500 and response.status_code != 503:
                    failures.append(("GET", getattr(user, "username", "anon"), url + query, response.status_code))
            for body in POST_BODIES:
                response = web.post(url, body)
                if response.status_code >= 500:
                    failures.append(("POST", getattr(user, "username", "anon"), url, response.status_code))
    assert failures == [], "\n".join(map(str, failures))
