"""HTML forms of the clients pages; they validate input shape, the services apply the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.choices import ContactChannel, ContactPurpose, ImportKind
from clients.imports import ALLOWED_SUFFIXES
from clients.models import Client, Contact
from wealthcrm.forms import DATE_INPUT, DATETIME_INPUT
from wealthcrm.money import WAN, MoneyFormField
from wealthcrm.org import scope
from wealthcrm.org.choices import RELATIONSHIP_ROLES, OrgKind
from wealthcrm.org.models import OrgUnit
from wealthcrm.phone import PhoneError, clean_phone
from wealthcrm.tiering import Tier


class ClientForm(forms.ModelForm):
    # Personal data: typed in clear, never rendered back (the page shows the masked value as a hint).
    id_number = forms.CharField(label=_("证件号码"), required=False, max_length=40,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("手机号"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    tags = forms.CharField(label=_("标签"), required=False, help_text=_("以逗号分隔"))

    class Meta:
        model = Client
        fields = ["client_no", "name", "id_number", "phone", "birth_date", "gender", "occupation", "risk_level",
                  "risk_assessed_on", "investment_preferences", "tags", "acquisition_channel", "org_unit", "advisor",
                  "investable_assets", "contribution"]
        widgets = {"birth_date": DATE_INPUT, "risk_assessed_on": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["id_number"] = ""
        self.initial["phone"] = ""
        if self.instance.pk:
            self.fields["id_number"].help_text = _("当前：%(v)s；留空表示不修改") % {"v": self.instance.id_number_masked or "—"}
            self.fields["phone"].help_text = _("当前：%(v)s；留空表示不修改") % {"v": self.instance.phone_masked or "—"}
            self.initial["tags"] = ", ".join(self.instance.tags or [])
        if user.effective_role in RELATIONSHIP_ROLES:
            # Front-line staff keep clients in their own unit as their own advisor (reassignment is a manager's).
            del self.fields["org_unit"]
            del self.fields["advisor"]
        else:
            self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(user)
            self.fields["advisor"].queryset = scope.assignable_advisors(user).select_related("org_unit")

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()]

    def clean_phone(self):
        try:
            return clean_phone(self.cleaned_data["phone"])
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from None

    def _post_clean(self):
        # The service validates the model (with the personal-data hashes); skip ModelForm's instance round-trip.
        pass

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        for field in ("id_number", "phone"):
            if self.instance.pk and not data.get(field):
                data.pop(field, None)
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["channel", "purpose", "occurred_at", "effective", "summary", "next_action_at"]
        widgets = {"occurred_at": DATETIME_INPUT, "next_action_at": DATETIME_INPUT,
                   "summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].initial = ContactChannel.PHONE
        self.fields["purpose"].initial = ContactPurpose.CALLBACK_SATISFACTION
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["next_action_at"].input_formats = self.fields["occurred_at"].input_formats

    def _post_clean(self):
        pass


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=ImportKind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8 或 GBK 编码）或 XLSX，首行为表头"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}))


class CallbackPlanForm(forms.Form):
    """A new callback plan; the unit is optional only for head office (empty: the bank's default)."""

    tier = forms.ChoiceField(label=_("客户层级"), choices=Tier.choices)
    org_unit = forms.ModelChoiceField(label=_("机构"), queryset=OrgUnit.objects.none(), required=False,
                                      empty_label=_("全行默认"))
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE_INPUT)
    interval_days = forms.IntegerField(label=_("回访间隔（天）"), min_value=1, max_value=3660)
    large_sale_threshold = MoneyFormField(label=_("大额销售金额（万元）"), unit=WAN, amount_label=_("大额销售金额"))
    large_sale_days = forms.IntegerField(label=_("大额销售回访时限（天）"), min_value=1, max_value=366)
    satisfaction_months = forms.IntegerField(label=_("满意度回访周期（月）"), min_value=1, max_value=60)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # the units whose plan the user may set (scope.may_set_callback_plan): branches and sub-branches in scope
        self.fields["org_unit"].queryset = (OrgUnit.objects.visible_to(user)
                                            .filter(kind__in=(OrgKind.BRANCH, OrgKind.SUB_BRANCH)).order_by("path"))
        if not scope.sees_everything(user):
            self.fields["org_unit"].required = True
            self.fields["org_unit"].empty_label = None
        self.fields["effective_from"].initial = timezone.localdate()
