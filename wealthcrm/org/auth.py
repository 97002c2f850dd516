"""Sign-in: the backend, the login form and the token view share one guard (org.services), and API tokens
that lapse when idle and can be revoked (API.md "Security")."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wealthcrm.audit.services import client_ip
from wealthcrm.org import services
from wealthcrm.org.models import ApiToken


class LockoutModelBackend(ModelBackend):
    """Every password check goes through the guard: the login page, the token endpoint, the Django admin."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username:
            return super().authenticate(request, username=username, password=password, **kwargs)
        address = client_ip(request)
        refusal = services.sign_in_refusal(username, address)
        if refusal:
            services.record_sign_in_refused(address)
            if request is not None:
                request.sign_in_refusal = refusal  # the form or view answers 429 with this message
            raise PermissionDenied(refusal)  # stops the backend chain; Django signals (and we audit) the failure
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.record_sign_in_failure(username, address)
        else:
            services.record_sign_in_success(username, address)
        return user


class LockoutAuthenticationForm(AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            refusal = getattr(self.request, "sign_in_refusal", None)
            if refusal:
                raise forms.ValidationError(refusal, code="locked") from None
            raise


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(forms.forms.NON_FIELD_ERRORS, "locked"):
            response.status_code = status.HTTP_429_TOO_MANY_REQUESTS
        return response


class SignInSerializer(serializers.Serializer):
    # A username longer than the model allows, or with a NUL, is a 400 before any lookup.
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"},
                                     write_only=True)


class ObtainTokenView(APIView):
    """``POST /api/v1/auth/token/`` → ``{"token"}``; a locked username or address gets 429."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=SignInSerializer,
                   responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request):
        serializer = SignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request, **serializer.validated_data)
        if user is None:
            refusal = getattr(request, "sign_in_refusal", None)
            if refusal:
                return Response({"detail": refusal}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise exceptions.ValidationError({"detail": _("用户名或密码错误。")})
        return Response({"token": services.issue_api_token(user)})


class LogoutTokenView(APIView):
    """``POST /api/v1/auth/logout/``: revokes the token the request was made with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.revoke_api_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
