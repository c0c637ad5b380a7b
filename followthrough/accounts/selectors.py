"""Reads for users and API tokens."""

from django.db.models import F, QuerySet

from followthrough.accounts.models import ApiToken, User, Workspace


def user_list(*, workspace: Workspace) -> QuerySet[User]:
    """Active members of the workspace, by name: owners of contacts and assignees."""
    return User.objects.filter(workspace=workspace, is_active=True).order_by(
        "first_name", "last_name", "email"
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, live ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )
