"""Token authentication for DRF settings; apart from auth.py, whose views DRF's settings cannot import early."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from wealthcrm.org import services


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against org.ApiToken (stored hashed, lapses after 30 idle days)."""

    def authenticate_credentials(self, key):
        found = services.api_token_owner(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期，请重新登录。"))
        return found
