"""Input limits every API endpoint shares (API.md "Security": no input gives a 500): JSON depth and size,
timestamp range. Apart from wealthcrm.api because DRF's settings import these before its views exist."""

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError

from wealthcrm.filters import check_timestamp

# Asia/Shanghai's zone data before 1901 is local mean time; the bank writes China Standard Time.
CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8))


class BoundedJSONParser(parsers.JSONParser):
    """JSON bodies of at most ``API_MAX_JSON_BYTES`` and ``API_MAX_JSON_DEPTH`` levels: anything else is 400,
    never a RecursionError (API.md "Security": deep nesting gives no 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("请求体过大。"))
        try:
            data = json.loads(raw.decode((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET))
        except RecursionError as exc:
            raise ParseError(_("JSON 嵌套层数过多。")) from exc
        except ValueError as exc:
            raise ParseError(_("JSON 格式错误：%(error)s") % {"error": exc}) from exc
        self._check_depth(data)
        return data

    @staticmethod
    def _check_depth(data) -> None:
        level = [data]
        for _depth in range(settings.API_MAX_JSON_DEPTH + 1):
            level = [child for node in level if isinstance(node, (dict, list))
                     for child in (node.values() if isinstance(node, dict) else node)]
            if not level:
                return
        raise ParseError(_("JSON 嵌套层数过多。"))


class BankDateTimeField(serializers.DateTimeField):
    """Timestamps in and out of the API: out-of-range input is a 400 with the field named; output is in
    Asia/Shanghai, with +08:00 for the rare value before 1901 (never the LMT offset +08:05:43)."""

    def enforce_timezone(self, value):
        try:
            check_timestamp(value)  # before conversion, while the offset is still the caller's
            result = super().enforce_timezone(value)
            check_timestamp(result)
        except OverflowError as exc:
            raise ValidationError(_("时间须在 1901 年至 9998 年之间。")) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return result

    def to_representation(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value) and value.year < 1902:
            local = value.astimezone(timezone.get_current_timezone())
            if local.year < 1901:
                value = value.astimezone(CHINA_STANDARD_TIME)
                return value.isoformat()
        return super().to_representation(value)
