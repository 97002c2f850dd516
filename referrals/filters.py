import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _

from referrals.choices import BusinessLine, LinkDirection, ReferralStatus
from referrals.models import Referral
from wealthcrm.filters import LocalDayFilter, ScopedFilterSet, StrictBooleanFilter, staff_filter
from wealthcrm.forms import DATE_INPUT
from wealthcrm.org.choices import RELATIONSHIP_ROLES, Role
from wealthcrm.org.filters import OrgSubtreeFilter


class ReferralFilterSet(ScopedFilterSet):
    """Shared by ``/api/v1/referrals/`` and the referral pages (API.md "Referrals")."""

    # Columns of the referral itself: no join can repeat a row, so no DISTINCT (django-filter's default), which
    # sorted every matching referral before the first page.
    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices, label=_("状态"), distinct=False)
    # Branch managers too: a referral nobody could take is routed to one (routed_to_manager).
    advisor = staff_filter(roles={*RELATIONSHIP_ROLES, Role.BRANCH_MANAGER}, label=_("跟进顾问"))
    referrer = staff_filter(label=_("推荐人"))
    sla_breached = StrictBooleanFilter(label=_("超时"))
    business_line = django_filters.MultipleChoiceFilter(choices=BusinessLine.choices, label=_("来源条线"),
                                                        distinct=False)
    direction = django_filters.MultipleChoiceFilter(choices=LinkDirection.choices, label=_("联动方向"),
                                                    distinct=False)
    # A unit includes its descendants, on either side of the referral (referring unit or advisor's unit).
    org_unit = OrgSubtreeFilter(links=("org_unit", "advisor_unit"), label=_("机构"))
    recommended_after = LocalDayFilter(field_name="recommended_at", bound="start", label=_("推荐日期起"),
                                       widget=DATE_INPUT)
    recommended_before = LocalDayFilter(field_name="recommended_at", bound="end", label=_("推荐日期止"),
                                        widget=DATE_INPUT)

    class Meta:
        model = Referral
        fields = ["status", "advisor", "referrer", "sla_breached", "org_unit", "business_line", "direction"]


# The funnel looks at the last 90 days of referrals unless the user picks another start.
FUNNEL_DAYS = 90


def funnel_params(params, today: dt.date):
    """The funnel page's filters: ``params`` with the default start of its window."""
    params = params.copy()
    params.setdefault("recommended_after", (today - dt.timedelta(days=FUNNEL_DAYS)).isoformat())
    return params


class ReferralBoardFilterSet(ReferralFilterSet):
    """The board's filter bar: unit, advisor by name and recommended dates (the board's tabs pick the status)."""

    status = None
    referrer = None
    sla_breached = None
    # the linkage is read on the funnel, by line and direction
    business_line = None
    direction = None

    class Meta(ReferralFilterSet.Meta):
        fields = ["org_unit", "advisor"]
