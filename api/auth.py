"""How a call to the API is let in: its token (``Authorization: Bearer …``), the token's
scope, the owner's role, and a rate per token."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling

from . import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after Bearer, with one space between.")
            )
        token = tokens.find(header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is unknown, revoked or expired, or its account is disabled.")
            )
        tokens.touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class TokenScope(permissions.BasePermission):
    """A read-only token reads; a read-write token may also change what its owner may."""

    message = _("This token is read-only: make a read-and-write token to change data.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(
            request.auth and request.auth.can_write
        )


class BusinessRole(permissions.BasePermission):
    """The API holds audit data: the security roles have none of it (三员分立)."""

    message = _("The API serves the audit's business roles only.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and tokens.may_hold_token(user))


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """So many calls a minute per token (settings.API_RATE, e.g. "120/min"); more answer 429
    with the seconds to wait."""

    scope = "token"

    def get_rate(self):
        return settings.API_RATE

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return f"api-throttle-{request.auth.pk}"
