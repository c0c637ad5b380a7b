"""Bearer-token authentication: `Authorization: Bearer ft_…` (tokens from /account/tokens/ or
`followthrough token`). Revoked tokens and deactivated users are refused with 401."""

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from followthrough.accounts.models import User
from followthrough.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def request_user(request: HttpRequest) -> User:
    """The token's user (set by ApiTokenAuth before any handler runs)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]
