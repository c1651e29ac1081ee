"""The one way lisplan renders HTML to PDF (WeasyPrint), used by every PDF in the app.

WeasyPrint's default URL fetcher would follow any URL in the document — `file:///etc/passwd`,
an internal `http://` address — a file-read and SSRF path the moment a value escaped its
escaping. Here the fetcher serves only the app's own static files (`/static/…`, resolved through
the static-file finders, never outside them) and refuses everything else.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# Documents are rendered from strings; relative URLs resolve against this made-up origin, so a
# relative `static/…` reference works and nothing resolves to the file system.
BASE_URL = "https://lisplan.invalid/"


class RefusedURL(ValueError):
    pass


def static_path(url: str) -> Path | None:
    """The file behind a URL to one of our static files, or None."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or parts.netloc != urlsplit(BASE_URL).netloc:
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix) or ".." in Path(path).parts:
        return None
    found = finders.find(path[len(prefix) :])
    return Path(found) if found else None


def fetch_static(url: str) -> tuple[bytes, str]:
    """The bytes and media type of one of our static files; RefusedURL for anything else."""
    path = static_path(url)
    if path is None:
        raise RefusedURL(f"PDF resource refused (only the app's static files): {url[:100]}")
    mime, _encoding = mimetypes.guess_type(path.name)
    return path.read_bytes(), mime or "application/octet-stream"


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher limited to `data:` URLs and the app's static files."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            body, mime = fetch_static(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticOnlyFetcher(allowed_protocols={"data", "https"}, allow_redirects=False)


# Every PDF is tagged (PDF/UA-1): structure tags (real table headers from `<th>`), the document
# language from `<html lang="nb">` and the title from `<title>` shown as the window title.
TAGGED = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


def write_pdf(html: str, **options) -> bytes:
    """Tagged PDF bytes of `html`; `options` go to WeasyPrint's `write_pdf` (e.g.
    `pdf_forms=True`)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf(
        **{**TAGGED, **options}
    )
