"""Performance fixtures: October 2026 (with the National Day holidays and the 调休 Saturday of 10 Oct),
computed as a past month from 2 November."""

import pytest

from performance import services
from tests.performance.factories import at

OCTOBER = services.Period.parse("2026-10")
NOW = at(2026, 11, 2)


@pytest.fixture
def recompute():
    def run(*periods, now=NOW):
        return services.recompute_scorecards(list(periods) or [OCTOBER], now=now)

    return run
