from django.urls import include, path

from followthrough.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("followthrough.outreach.extras.urls")),
    path("hooks/", include("followthrough.events.urls")),
    path("", include("followthrough.outreach.urls")),
    path("", include("followthrough.web.urls")),
]
