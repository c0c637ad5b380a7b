"""Email templates: merge fields rendered in a sandbox, tracked links and the compliance footer.

Templates are written by users, so they run in jinja2's immutable sandbox and see only a plain
dict of strings (MERGE_FIELDS), never a model instance: there is no path from a template to the
settings, the database or a Python object's internals. The HTML part is autoescaped.
"""

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MERGE_FIELDS: dict[str, str] = {
    "first_name": "Dana",
    "last_name": "Rider",
    "name": "Dana Rider",
    "organization": "Rider & Co",
    "tier": "Gold",
    "interests": "road cycling, commuting",
    "owner_name": "Alice Owner",
    "workspace_name": "Spoke & Chain Cycles",
    "unsubscribe_url": "https://example.com/u/preview",
    "postal_address": "12 Main Street, Springfield",
}
"""The merge fields a template may use, with the sample values used to check a template."""

MAX_OUTPUT = 500_000  # characters of one rendered part; a real newsletter is a few thousand


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox keeps a template away from Python; this also keeps it from eating a worker:
    `"x" * 10**9` and `9 ** 9 ** 9` are refused, and (in template_errors) so are loops, which
    nested over `range` could run for hours. Merge fields are plain strings: an email template
    needs `{{ field }}`, filters and `{% if %}`, not loops."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and (abs(_number(left)) > 1000 or abs(_number(right)) > 100):
            raise SecurityError("That power is too large for an email template.")
        if operator == "*" and _size(left) * _size(right) > MAX_OUTPUT:
            raise SecurityError("That repetition is too long for an email template.")
        return super().call_binop(context, operator, left, right)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _size(value: Any) -> float:
    return len(value) if isinstance(value, str | list | tuple) else abs(_number(value))


_HTML_ENV = _BoundedSandbox(autoescape=True)
_TEXT_ENV = _BoundedSandbox(autoescape=False)
PARTS = ("subject", "body_html", "body_text")


class TemplateRenderError(Exception):
    """A template that cannot be rendered (the message names the part)."""


def _env(part: str) -> ImmutableSandboxedEnvironment:
    return _HTML_ENV if part == "body_html" else _TEXT_ENV


def template_errors(parts: Mapping[str, str]) -> dict[str, str]:
    """What is wrong with each part ("subject", "body_html", "body_text"), by part; empty if the
    template parses, uses only known merge fields and renders with sample values."""
    errors: dict[str, str] = {}
    for part in PARTS:
        source = parts.get(part, "")
        try:
            tree = _env(part).parse(source)
        except TemplateSyntaxError as error:
            errors[part] = f"Line {error.lineno}: {error.message}"
            continue
        loop = next(tree.find_all((nodes.For, nodes.Macro, nodes.CallBlock)), None)
        if loop is not None:
            errors[part] = f"Line {loop.lineno}: loops and macros are not available in emails."
            continue
        unknown = meta.find_undeclared_variables(tree) - MERGE_FIELDS.keys()
        if unknown:
            errors[part] = (
                f"Unknown merge field {', '.join(sorted(unknown))}; "
                f"use one of {', '.join(MERGE_FIELDS)}."
            )
            continue
        try:
            _env(part).from_string(source).render(MERGE_FIELDS)
        except TemplateError as error:
            errors[part] = f"Cannot render: {error}"
    return errors


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


class CompiledTemplate:
    """A template compiled once (per worker batch) and rendered per recipient."""

    def __init__(self, *, subject: str, body_html: str, body_text: str) -> None:
        try:
            self._subject = _TEXT_ENV.from_string(subject)
            self._html = _HTML_ENV.from_string(body_html)
            self._text = _TEXT_ENV.from_string(body_text) if body_text.strip() else None
        except TemplateSyntaxError as error:
            raise TemplateRenderError(f"Line {error.lineno}: {error.message}") from None

    def render(self, values: Mapping[str, str]) -> Rendered:
        safe = {name: str(values.get(name, "")) for name in MERGE_FIELDS}
        try:
            body_html = self._html.render(safe)
            text = self._text.render(safe) if self._text else html_to_text(body_html)
            # A subject is one line: a newline in a merge field must not add a header.
            subject = " ".join(self._subject.render(safe).split())
        except TemplateError as error:
            raise TemplateRenderError(str(error)) from None
        if max(len(body_html), len(text), len(subject)) > MAX_OUTPUT:
            raise TemplateRenderError(f"The email is longer than {MAX_OUTPUT:,} characters.")
        return Rendered(subject=subject, html=body_html, text=text)


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script"}:
            self._skip += 1
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
        if tag in self._BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script"}:
            self._skip = max(0, self._skip - 1)
        if tag == "a" and self._href.startswith(("http://", "https://")):
            self.chunks.append(f" ({self._href})")
        if tag in self._BREAKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def html_to_text(markup: str) -> str:
    """A readable plain-text part from HTML, for templates written without one."""
    parser = _TextExtractor()
    parser.feed(markup)
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


_HREF = re.compile(
    r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2([^>]*>)(.*?)</a>""",
    re.IGNORECASE | re.DOTALL,
)
_TEXT_URL = re.compile(r"""https?://[^\s<>"')\]]+""")
_TAGS = re.compile(r"<[^>]+>")


def track_links(
    rendered: Rendered, *, tracked_url: Callable[[int], str], keep: frozenset[str]
) -> tuple[Rendered, list[dict[str, str]]]:
    """The message with every web link (except those in `keep`, e.g. the unsubscribe link)
    replaced by tracked_url(index), and the list of original links by index ({"url", "title"}).
    A URL that appears in both parts gets one index."""
    links: list[dict[str, str]] = []
    index_of: dict[str, int] = {}

    def index(url: str, title: str) -> int:
        if url not in index_of:
            index_of[url] = len(links)
            links.append({"url": url, "title": title[:200]})
        return index_of[url]

    def in_html(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3))
        if url in keep:
            return match.group(0)
        title = " ".join(html.unescape(_TAGS.sub("", match.group(5))).split())
        new = html.escape(tracked_url(index(url, title or url)))
        quote = match.group(2)
        return f"{match.group(1)}{quote}{new}{quote}{match.group(4)}{match.group(5)}</a>"

    def in_text(match: re.Match[str]) -> str:
        url = match.group(0)
        return url if url in keep else tracked_url(index(url, url))

    body_html = _HREF.sub(in_html, rendered.html)
    text = _TEXT_URL.sub(in_text, rendered.text)
    return Rendered(subject=rendered.subject, html=body_html, text=text), links


def add_footer(
    rendered: Rendered, *, unsubscribe_url: str, postal_address: str, workspace_name: str
) -> Rendered:
    """Every marketing email ends with who sent it, where they are, and how to stop it."""
    address_html = "<br>".join(html.escape(line) for line in postal_address.splitlines())
    address_text = "\n".join(line.strip() for line in postal_address.splitlines())
    footer_html = (
        '<hr><p style="font-size:12px;color:#666">'
        f"{html.escape(workspace_name)}<br>{address_html}<br>"
        f'<a href="{html.escape(unsubscribe_url)}">Unsubscribe</a> from these emails.</p>'
    )
    footer_text = (
        f"\n\n--\n{workspace_name}\n{address_text}\n"
        f"Unsubscribe from these emails: {unsubscribe_url}\n"
    )
    if re.search(r"</body>", rendered.html, re.IGNORECASE):
        body_html = re.sub(
            r"</body>", footer_html + "</body>", rendered.html, count=1, flags=re.IGNORECASE
        )
    else:
        body_html = rendered.html + footer_html
    return Rendered(subject=rendered.subject, html=body_html, text=rendered.text + footer_text)
