from django import forms
from django.utils.translation import gettext_lazy as _

from performance.models import KpiTarget
from wealthcrm.forms import DATE_INPUT
from wealthcrm.org import scope
from wealthcrm.org.models import OrgUnit, Staff


class KpiTargetForm(forms.ModelForm):
    class Meta:
        model = KpiTarget
        fields = ["role", "kpi", "effective_from", "target", "weight", "cap"]
        widgets = {"effective_from": DATE_INPUT}
        help_texts = {"effective_from": _("某月 1 日，从该月起适用"), "cap": _("实际 ÷ 目标 的上限，例如 1.2")}

    def validate_unique(self):
        # the service checks the month, with its own message
        pass


class ComplaintForm(forms.Form):
    client_no = forms.CharField(label=_("客户号"), max_length=32)
    advisor = forms.ModelChoiceField(label=_("被投诉顾问"), queryset=Staff.objects.none())
    received_on = forms.DateField(label=_("受理日期"), widget=DATE_INPUT)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # the scored roles are those that serve clients: the advisors a manager may give a client to
        self.fields["advisor"].queryset = scope.assignable_advisors(user).order_by("org_unit__path", "username")


class MeetingForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("机构"), queryset=OrgUnit.objects.none())
    held_on = forms.DateField(label=_("会议日期"), widget=DATE_INPUT)
    attendees = forms.ModelMultipleChoiceField(label=_("参会人员"), queryset=Staff.objects.none(),
                                               widget=forms.SelectMultiple(attrs={"size": 6}))
    client_nos = forms.CharField(label=_("讨论客户（客户号，逗号或空格分隔）"), required=False)
    notes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(user).filter(kind__in=("branch", "sub_branch"))
        self.fields["attendees"].queryset = (Staff.objects.visible_to(user).filter(is_active=True)
                                             .exclude(role="hall_staff").order_by("org_unit__path", "username"))

    def client_numbers(self) -> list[str]:
        return [no for no in self.cleaned_data.get("client_nos", "").replace("，", ",").replace(",", " ").split() if no]
