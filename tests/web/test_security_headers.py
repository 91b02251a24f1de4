"""Security headers on every response, and templates free of inline code, so
the Content-Security-Policy (no inline script or style) cannot break a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configurator.config import REPO_ROOT
from configurator.web.security import CONTENT_SECURITY_POLICY

TEMPLATES = REPO_ROOT / "templates"
PAGES = [
    "/shop/",
    "/shop/test-bike",
    "/auth/signin",
    "/auth/signup",
    "/account/configurations",
    "/account/configurations/{configuration}",
    "/account/configurations/{configuration}/diff?a=1&b=1",
    "/account/orders",
    "/account/orders/{order}",
    "/account/orders/{order}/reorder",
    "/account/timeline",
    "/health",
    "/static/shop.css",
    "/no-such-page",
]
INLINE_CODE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "<style> block": re.compile(r"<style[\s>]", re.IGNORECASE),
}


def csp_directives(header: str) -> dict[str, list[str]]:
    """`script-src 'self'; ...` -> {"script-src": ["'self'"], ...}."""
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_headers(client, auth, anna, path):
    auth.signin("anna@example.com")
    response = client.get(path.format(**anna))
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_the_policy_allows_no_inline_code_and_no_framing():
    directives = csp_directives(CONTENT_SECURITY_POLICY)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_htmx_fragments_and_errors_carry_the_headers_too(client, raw_client):
    fragment = client.post(
        "/shop/test-bike", data={"f.frame": "alu"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    refused = raw_client.post("/shop/test-bike", data={"f.frame": "alu"})
    assert refused.status_code == 400
    assert refused.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_hsts_over_https_only(client):
    response = client.get("/shop/", base_url="https://shop.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_htmx_is_configured_not_to_need_inline_code(client):
    page = client.get("/shop/test-bike").get_data(as_text=True)
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page).group(1)
    assert '"includeIndicatorStyles":false' in config
    assert '"allowEval":false' in config


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_contains_inline_code(template: Path):
    text = template.read_text(encoding="utf-8")
    found = [
        f"{kind} at line {text.count(chr(10), 0, match.start()) + 1}"
        for kind, pattern in INLINE_CODE.items()
        for match in pattern.finditer(text)
    ]
    assert not found, f"{template.name}: {', '.join(found)} (the CSP forbids inline code)"


def test_the_scanner_finds_what_it_looks_for():
    samples = {
        "inline <script>": "<script>alert(1)</script>",
        "event handler attribute": '<button onclick="go()">',
        "javascript: URL": '<a href="javascript:history.back()">',
        "style attribute": '<p style="color: red">',
        "<style> block": "<style>p {}</style>",
    }
    for kind, sample in samples.items():
        assert INLINE_CODE[kind].search(sample), kind
    assert not INLINE_CODE["inline <script>"].search('<script src="/static/page.js"></script>')


def test_session_cookie_is_http_only_and_same_site(client, auth, anna):
    response = auth.signin("anna@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # TestConfig: plain HTTP


def test_production_cookies_are_secure(monkeypatch):
    from configurator.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_error_page_links_back_only_within_the_site(client):
    inside = client.get("/no-such-page", headers={"Referer": "http://localhost/shop/"})
    assert 'href="http://localhost/shop/">Go back' in inside.get_data(as_text=True)
    outside = client.get("/no-such-page", headers={"Referer": "https://evil.example/"})
    assert "evil.example" not in outside.get_data(as_text=True)
