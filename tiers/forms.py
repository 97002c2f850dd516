from django import forms
from django.utils.translation import gettext_lazy as _

from tiers.models import TierPolicy


class TierPolicyForm(forms.ModelForm):
    class Meta:
        model = TierPolicy
        fields = ["effective_from", "head_office_floor", "branch_floor", "near_threshold_margin"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "head_office_floor": _("元，含本数：达到即为总行级"),
            "branch_floor": _("元，含本数：达到即为分行级"),
        }

    def validate_unique(self):
        # the service checks the effective date, with its own message
        pass

