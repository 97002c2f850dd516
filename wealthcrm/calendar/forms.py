from django import forms
from django.utils.translation import gettext_lazy as _

from wealthcrm.forms import DATE_INPUT


class ManualDaysForm(forms.Form):
    """One line of the State Council notice: a date range off, a single date worked, or undo an entry."""

    OFF, WORK, RESET = "off", "work", "reset"
    KIND_CHOICES = [(OFF, _("放假（非工作日）")), (WORK, _("上班（调休工作日）")), (RESET, _("撤销人工录入，恢复自动数据"))]

    start = forms.DateField(label=_("开始日期"), widget=DATE_INPUT,
                            error_messages={"required": _("请填写开始日期。"), "invalid": _("请按 YYYY-MM-DD 填写开始日期。")})
    end = forms.DateField(label=_("结束日期"), required=False, widget=DATE_INPUT,
                          help_text=_("只录入一天时可不填。"),
                          error_messages={"invalid": _("请按 YYYY-MM-DD 填写结束日期。")})
    kind = forms.ChoiceField(label=_("安排"), choices=KIND_CHOICES, initial=OFF)
    name = forms.CharField(label=_("名称"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如：春节、国庆节调休上班")}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and not cleaned.get("end"):
            cleaned["end"] = cleaned["start"]
        return cleaned


class CalendarFileForm(forms.Form):
    file = forms.FileField(label=_("CSV 文件"), error_messages={"required": _("请选择要上传的 CSV 文件。")})
