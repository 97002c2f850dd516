from django import forms
from django.utils.translation import gettext_lazy as _

from tiers.models import TierPolicy
from tiers.services import POLICY_THRESHOLDS
from wealthcrm.forms import DATE_INPUT


class TierPolicyForm(forms.ModelForm):
    class Meta:
        model = TierPolicy
        fields = ["effective_from", "head_office_floor", "branch_floor", "near_threshold_margin", "tier_basis",
                  "downgrade_grace_months", "contribution_high", "wallet_gap_min", "activity_days",
                  "risk_assessment_valid_days"]
        widgets = {"effective_from": DATE_INPUT}
        help_texts = {
            "head_office_floor": _("元，含本数：达到即为总行级"),
            "branch_floor": _("元，含本数：达到即为分行级"),
        }

    def __init__(self, *args, current: TierPolicy | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A new policy usually changes one figure: start from the policy in force, not the code defaults.
        if current is not None:
            for name in self.Meta.fields[1:]:
                self.fields[name].initial = getattr(current, name)
        for name in POLICY_THRESHOLDS:  # left empty: kept from the policy in force (tiers.services.create_policy)
            self.fields[name].required = False
        self.fields["tier_basis"].empty_value = None  # a choice left out is "keep", like an empty number

    def validate_unique(self):
        # the service checks the effective date, with its own message
        pass

