from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.choices import BusinessLine, LinkDirection
from wealthcrm.money import WAN, MoneyFormField
from wealthcrm.org import scope
from wealthcrm.org.models import Staff


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.org_unit.name if obj.org_unit else ''}）"


class ReferralForm(forms.Form):
    """The hall form: a client number, or a new client's name (and phone); assets in 万 for speed."""

    client_no = forms.CharField(label=_("客户号（老客户）"), max_length=32, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    prospect_name = forms.CharField(label=_("客户姓名（新客户）"), max_length=100, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
    prospect_phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    estimated_assets_wan = MoneyFormField(
        label=_("预估资产（万元）"), required=False, unit=WAN, amount_label=_("预估资产"),
        help_text=_("单位：万元，例如 3000 表示 3000 万元；系统按 1 万元 = 10000 元精确换算。"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：理财到期、咨询大额存单")}))
    advisor = AdvisorChoiceField(label=_("指定顾问（可不选，系统自动分配）"), queryset=Staff.objects.none(),
                                 required=False)
    business_line = forms.ChoiceField(label=_("来源条线（公私联动）"), required=False,
                                      choices=[("", _("按推荐人默认"))] + BusinessLine.choices)
    direction = forms.ChoiceField(label=_("联动方向"), required=False,
                                  choices=[("", _("按来源条线"))] + LinkDirection.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Who a referral may be named to is a write-scope rule (org.scope); an existing client's referral
        # still goes to that client's advisor whatever is picked here (checked by the service).
        self.fields["advisor"].queryset = (scope.referral_advisors(user).select_related("org_unit")
                                           .order_by("org_unit__path", "username"))

    def clean(self):
        data = super().clean()
        if not (data.get("client_no") or "").strip() and not (data.get("prospect_name") or "").strip():
            raise forms.ValidationError(_("请填写客户号，或新客户的姓名。"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "client_no": data.get("client_no") or "",
            "prospect_name": data.get("prospect_name") or "",
            "prospect_phone": data.get("prospect_phone") or "",
            "estimated_assets": data.get("estimated_assets_wan"),  # already in 元 (MoneyFormField)
            "note": data.get("note") or "",
            "advisor": data.get("advisor"),
            "business_line": data.get("business_line") or "",
            "direction": data.get("direction") or "",
        }
