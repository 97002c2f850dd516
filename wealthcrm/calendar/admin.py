from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wealthcrm.calendar import services
from wealthcrm.calendar.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_business_day", "name", "source", "updated_by", "updated_at"]
    list_filter = ["source", "is_business_day"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["source", "updated_by", "updated_at"]
    list_per_page = 100

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return ["一", "二", "三", "四", "五", "六", "日"][obj.date.weekday()]

    def get_readonly_fields(self, request, obj=None):
        # The date is the key: changing it would silently create another day.
        return [*self.readonly_fields, "date"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # An edit in the admin is a manual entry like any other: it must survive reseeding.
        services.set_manual_days(start=obj.date, end=obj.date, is_business_day=obj.is_business_day,
                                 name=obj.name, actor=request.user)
        obj.refresh_from_db()
