"""PDF documents from the same HTML as their print pages (WeasyPrint).

One path for paper: a view renders its printable template (the page a browser
prints, with `print.css`), and `pdf_response` turns that HTML into a PDF, so the
page and the PDF never differ. Right-to-left Persian is shaped by Pango with the
Vazirmatn font shipped in `static/fonts` (SIL Open Font License, `OFL.txt`
there). Reuse it for any other document (an invoice): render its print page,
then `pdf_response(html, "name.pdf")`.

Only the app's own static files are fetched while rendering (stylesheets,
fonts, images); any other address is refused, so a URL in a quote's text can
never make the server fetch something.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Response, current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from configurator.services.errors import NotFound
from configurator.web import pictures

# Relative links in the page resolve against this made-up origin; the fetcher
# maps its /static/ paths to the package's files and refuses everything else.
BASE_URL = "https://configurator.invalid/"


class StaticFiles(URLFetcher):
    """Fetches `/static/...` from the app's static folder and composes the pictures of
    configurations (`/shop/<catalog>/picture/<n>.svg`) in-process; any other URL is refused."""

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols={"file"})
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers=None):
        """The static file behind `url`, read from disk (never over the network).

        A stylesheet read from disk resolves its own relative links (fonts) to
        file: URLs; those are allowed inside the static folder only.
        """
        parts = urlsplit(url)
        picture = pictures.PICTURE_PATH.match(parts.path)
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and picture:
            try:
                svg = pictures.compose(
                    unquote(picture["catalog"]), int(picture["number"]), parse_qs(parts.query)
                )
            except NotFound:
                raise ValueError(f"no such picture: {url}") from None
            return URLFetcherResponse(url, svg.encode("utf-8"), {"Content-Type": "image/svg+xml"})
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        elif f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith("/static/"):
            path = self.root / unquote(parts.path.removeprefix("/static/"))
        else:
            raise ValueError(f"not one of the app's static files: {url}")
        path = path.resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"no such static file: {url}")
        return super().fetch(path.as_uri(), headers)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a rendered print page (its print stylesheet applies)."""
    fetcher = StaticFiles(current_app.static_folder)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def pdf_response(html: str, filename: str) -> Response:
    """A download of `html` as the PDF `filename`."""
    return Response(html_to_pdf(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
