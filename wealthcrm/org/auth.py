"""Sign-in with lockout: the backend, the login form and the token view share one guard (org.services)."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from wealthcrm.org import services

LOCKED_MESSAGE = _("该用户名连续登录失败次数过多，已暂时锁定，请 15 分钟后再试或联系系统管理员。")


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and services.sign_in_locked(username):
            raise PermissionDenied(LOCKED_MESSAGE)  # stops the backend chain; Django signals the failure
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username:
            if user is None:
                services.record_sign_in_failure(username)
            else:
                services.record_sign_in_success(username)
        return user


class LockoutAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        if username and services.sign_in_locked(username):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(forms.forms.NON_FIELD_ERRORS, "locked"):
            response.status_code = status.HTTP_429_TOO_MANY_REQUESTS
        return response


class ObtainTokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/``; a locked username gets 429 whatever the password."""

    def post(self, request, *args, **kwargs):
        username = request.data.get("username")
        if isinstance(username, str) and services.sign_in_locked(username):
            return Response({"detail": str(LOCKED_MESSAGE)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return super().post(request, *args, **kwargs)
