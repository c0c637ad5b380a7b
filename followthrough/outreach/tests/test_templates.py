"""Templates: merge fields in a sandbox that cannot reach settings or Python internals, the HTML
part escaped, and errors that name the part."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from followthrough.outreach.services import template_create
from followthrough.outreach.templating import CompiledTemplate, TemplateRenderError, template_errors

PARTS = {"subject": "Hi", "body_html": "<p>Hi</p>", "body_text": ""}


@pytest.mark.parametrize(
    "source",
    [
        "{{ settings.SECRET_KEY }}",
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ first_name.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_it_keeps_a_template_away_from_settings_and_internals(source):
    errors = template_errors({**PARTS, "body_html": source})
    rendered = ""
    try:
        rendered = (
            CompiledTemplate(subject="s", body_html=source, body_text="")
            .render({"first_name": "Dana"})
            .html
        )
    except Exception:  # noqa: BLE001, S110 (a refusal is fine too)
        pass
    assert settings.SECRET_KEY not in rendered
    assert "<class" not in rendered and "&lt;class" not in rendered
    assert "function" not in rendered and "module" not in rendered
    assert errors or rendered.strip() == ""


def test_it_escapes_merge_fields_in_the_html_part_only():
    compiled = CompiledTemplate(
        subject="For {{ first_name }}",
        body_html="<p>{{ first_name }}</p>",
        body_text="Hi {{ first_name }}",
    )
    rendered = compiled.render({"first_name": "<b>Dana</b>"})
    assert rendered.html == "<p>&lt;b&gt;Dana&lt;/b&gt;</p>"
    assert rendered.text == "Hi <b>Dana</b>"


def test_it_names_the_part_with_a_syntax_error(workspace):
    with pytest.raises(ValidationError) as caught:
        template_create(
            workspace=workspace,
            fields={"name": "Broken", "subject": "Hi {{ first_name", "body_html": "<p>ok</p>"},
        )
    assert set(caught.value.message_dict) == {"subject"}
    assert "Line 1" in caught.value.message_dict["subject"][0]


def test_it_names_an_unknown_merge_field(workspace):
    with pytest.raises(ValidationError) as caught:
        template_create(
            workspace=workspace,
            fields={"name": "Typo", "subject": "Hi", "body_html": "<p>{{ frist_name }}</p>"},
        )
    assert "frist_name" in caught.value.message_dict["body_html"][0]


def test_it_derives_the_text_part_from_the_html_with_its_links():
    rendered = CompiledTemplate(
        subject="s", body_html='<p>See <a href="https://x.test/a">the rides</a></p>', body_text=""
    ).render({})
    assert rendered.text.strip() == "See the rides (https://x.test/a)"


@pytest.mark.parametrize(
    ("source", "refusal"),
    [
        ('{{ "x" * 50000000 }}', "too long"),
        ("{{ 9 ** 9 ** 9 }}", "too large"),
        (
            "{% for a in range(99999) %}{% for b in range(99999) %}.{% endfor %}{% endfor %}",
            "loops",
        ),
        ("{% macro m() %}x{% endmacro %}{{ m() }}", "loops and macros"),
    ],
)
def test_it_refuses_a_template_that_would_tie_up_a_worker(source, refusal):
    errors = template_errors({**PARTS, "body_html": source})
    assert refusal in errors["body_html"]


def test_a_long_merge_field_cannot_blow_a_message_up():
    compiled = CompiledTemplate(subject="s", body_html="{{ first_name * 2 }}", body_text="")
    assert compiled.render({"first_name": "Dana"}).html == "DanaDana"
    with pytest.raises(TemplateRenderError):
        compiled.render({"first_name": "x" * 300_000})
