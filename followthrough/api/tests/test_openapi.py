import json
import re

from django.test import Client


def test_the_openapi_document_lists_every_resource(db) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/contacts", "/api/v1/contacts/{contact_id}", "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}", "/api/v1/interactions",
        "/api/v1/interactions/{interaction_id}", "/api/v1/followups",
        "/api/v1/followups/{followup_id}", "/api/v1/followups/{followup_id}/complete",
        "/api/v1/followups/{followup_id}/snooze", "/api/v1/followups/{followup_id}/reschedule",
        "/api/v1/followups/{followup_id}/skip", "/api/v1/agenda",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"


def test_the_schema_documents_the_choices(db) -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["Stage"]["enum"]) == {"lead", "prospect", "client", "lapsed", "former"}
    assert "refused" in schemas["Preference"]["enum"]
    assert schemas["SkipIn"]["properties"]["reason"]["minLength"] == 1


def test_the_docs_page_works_offline(db) -> None:
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
