from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from performance.reports import summary
from performance.reports.choices import ReportFormat
from wealthcrm.forms import MONTH_INPUT


class MonthlyReportForm(forms.Form):
    month = forms.CharField(label=_("月份"), max_length=7, widget=MONTH_INPUT)
    format = forms.ChoiceField(label=_("格式"), choices=ReportFormat.choices, initial=ReportFormat.XLSX)

    def clean_month(self):
        try:
            return summary.parse_month(self.cleaned_data["month"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["month"]) from exc
