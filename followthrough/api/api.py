"""The REST API, mounted at /api/v1/ (DESIGN C8). Bearer tokens; OpenAPI at /api/v1/openapi.json
and a self-contained reference page at /api/v1/docs."""

from typing import Any

from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext

from followthrough.api.auth import ApiTokenAuth
from followthrough.api.docs import OfflineSwagger
from followthrough.api.errors import install_handlers
from followthrough.api.routers import (
    agenda,
    contacts,
    events,
    followups,
    interactions,
    organizations,
    playbooks,
)


class FollowthroughAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Ninja names the body parameter in `loc` (["body", "payload", "phones"]); clients know
        nothing of it, and the services' errors say ["body", "phones"], so it is dropped."""
        error = super().validation_error_from_error_contexts(error_contexts)
        for item in error.errors:
            loc = tuple(item["loc"])
            if loc[:1] == ("body",) and len(loc) > 1:
                item["loc"] = ("body", *loc[2:])
        return error


api = FollowthroughAPI(
    title="Followthrough API",
    version="1",
    description="Contacts, organizations, the tracking log, follow-ups, the agenda, events "
    "(touch points) and playbooks. "
    "Authenticate with `Authorization: Bearer ft_…` (create a token under Account → API tokens "
    "or with `followthrough token --email …`).",
    urls_namespace="api",
    auth=ApiTokenAuth(),
    docs=OfflineSwagger(),
)
install_handlers(api)
api.add_router("/contacts", contacts.router)
api.add_router("/organizations", organizations.router)
api.add_router("/interactions", interactions.router)
api.add_router("/followups", followups.router)
api.add_router("/agenda", agenda.router)
api.add_router("/events", events.router)
api.add_router("/playbooks", playbooks.router)
