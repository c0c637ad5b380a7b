"""The API reference page (/api/v1/docs), served entirely from our own static files.

Ninja's Swagger page loads Swagger UI from a CDN unless "ninja" is an installed app, and even then
its template points at ninja's own static folder. This renderer uses the copy of swagger-ui-dist
vendored in followthrough/api/static/api/swagger-ui, so the page works offline and behind a
strict firewall.
"""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class OfflineSwagger(DocsBase):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "persistAuthorization": True,
        }
        return render(request, self.template, {"api": api, "swagger_settings": settings})
