"""Certificate PDFs with WeasyPrint, kept warm in the process.

A certificate template is trusted HTML (a Django template) and CSS written by administrators.
It is rendered with a URL fetcher that reads nothing but `data:` URIs and the platform's own
static and media files, from disk: no `file://`, no network, no path outside the two roots.

What makes a warm render fast (see benchmarks/bench_certificates.py): one FontConfiguration
for the process, compiled templates and parsed stylesheets cached by their text, images
cached by URL (but not data: URIs, such as each certificate's QR code).
"""

from __future__ import annotations

import base64
import io
import logging
import mimetypes
import posixpath
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import qrcode
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils._os import safe_join

if TYPE_CHECKING:
    from trainers.models import Certificate, CertificateTemplate

logger = logging.getLogger(__name__)

DEFAULTS = Path(__file__).resolve().parent / "defaults"
ACADEMY_LOGO = "lms/img/logo.svg"

# Variables a template can use (shown as help in the template editor).
TEMPLATE_VARIABLES = {
    "holder_name": "the holder's name",
    "title": "the course (or ToT course) title",
    "kind": '"course" or "tot"',
    "period_start, period_end": "dates of the course (use |date)",
    "hours": "hours of training",
    "issued_on, expires_on": "dates (expires_on may be empty)",
    "code": "the certificate code",
    "verify_url": "the public verification address",
    "qr_code": "QR code of verify_url (PNG data URI for <img>)",
    "academy_logo, partner_logo": "image addresses (partner_logo may be empty)",
    "signatories": "list of {name, title, signature}",
    "certificate": "the certificate itself",
}


class RefusedURL(ValueError):
    """A template asked for a resource outside the platform's static and media files."""


@dataclass(frozen=True)
class Resource:
    data: bytes
    mime_type: str


def _clean_relative(path: str) -> str:
    """A relative path with no traversal, or RefusedURL."""
    path = unquote(path)
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        raise RefusedURL(f"not a plain relative path: {path!r}")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise RefusedURL(f"path traversal refused: {path!r}")
    return posixpath.join(*parts)


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def static_resource(path: str) -> Resource:
    """A static file, from the apps' static folders or STATIC_ROOT (where collectstatic put
    the hashed names that production pages use)."""
    relative = _clean_relative(path)
    candidates = []
    found = finders.find(relative)
    if found:
        candidates.append(Path(found))
    if settings.STATIC_ROOT:
        try:
            candidates.append(Path(safe_join(str(settings.STATIC_ROOT), relative)))
        except Exception as error:  # SuspiciousFileOperation
            raise RefusedURL(str(error)) from error
    for candidate in candidates:
        if candidate.is_file():
            return Resource(candidate.read_bytes(), _guess_type(relative))
    raise RefusedURL(f"no static file {relative!r}")


def media_resource(path: str) -> Resource:
    """An uploaded file, through the default storage (which refuses traversal itself)."""
    relative = _clean_relative(path)
    try:
        with default_storage.open(relative, "rb") as handle:
            return Resource(handle.read(), _guess_type(relative))
    except (OSError, ValueError) as error:
        raise RefusedURL(f"no media file {relative!r}") from error
    except Exception as error:  # SuspiciousFileOperation and storage-specific errors
        raise RefusedURL(str(error)) from error


def data_resource(url: str) -> Resource:
    header, _comma, payload = url[len("data:") :].partition(",")
    params = header.split(";")
    mime_type = params[0] or "text/plain"
    if "base64" in params[1:]:
        try:
            return Resource(base64.b64decode(payload, validate=False), mime_type)
        except ValueError as error:
            raise RefusedURL("bad base64 data URI") from error
    return Resource(unquote_to_bytes(payload), mime_type)


def resolve(url: str) -> Resource:
    """What a URL in a certificate template may point to, or RefusedURL."""
    if url.startswith("data:"):
        return data_resource(url)
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
        raise RefusedURL(f"refused: {url[:200]}")
    path = parts.path
    if path.startswith(settings.STATIC_URL):
        return static_resource(path[len(settings.STATIC_URL) :])
    if path.startswith(settings.MEDIA_URL):
        return media_resource(path[len(settings.MEDIA_URL) :])
    raise RefusedURL(f"refused: {url[:200]}")


def _url_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PlatformURLFetcher(URLFetcher):
        """WeasyPrint's fetcher, reduced to the platform's own files and data: URIs."""

        def fetch(self, url, headers=None):
            resource = resolve(url)
            return URLFetcherResponse(
                url, resource.data, headers={"Content-Type": resource.mime_type}
            )

    return PlatformURLFetcher


class _ImageCache(dict):
    """WeasyPrint's image cache: the platform's images parsed once, by URL. data: URIs (a new
    QR code on every certificate) are not kept by URL; their raw bytes, which WeasyPrint
    keeps under other keys, are dropped with everything else when the cache outgrows
    IMAGE_CACHE_SIZE (between renders, never during one)."""

    def __setitem__(self, key, value):
        if isinstance(key, str) and key.startswith("data:"):
            return
        super().__setitem__(key, value)


IMAGE_CACHE_SIZE = 256


class _Engine:
    """WeasyPrint state shared by every render in this process."""

    def __init__(self):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint = weasyprint
        self.font_config = FontConfiguration()
        self.fetcher = _url_fetcher_class()()
        self.images = _ImageCache()
        # Pango and fontconfig are not thread-safe: one render at a time per process.
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return settings.SITE_URL + "/"


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def engine() -> _Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _Engine()
    return _engine


@lru_cache(maxsize=32)
def _compiled(html: str, css: str):
    """The template's compiled Django template and parsed stylesheet, by their text."""
    django_template = engines["django"].from_string(html)
    current = engine()
    stylesheet = current.weasyprint.CSS(
        string=css or "",
        base_url=current.base_url,
        url_fetcher=current.fetcher,
        font_config=current.font_config,
    )
    return django_template, stylesheet


def qr_code_uri(url: str) -> str:
    """The QR code of `url` as a PNG data URI, one pixel per module: small to embed, and
    sharp at any size with `image-rendering: pixelated` (the templates set it). A PNG,
    not SVG, because WeasyPrint draws a QR code's path of hundreds of segments slowly."""
    # A fixed mask pattern: choosing the best of eight costs more than the rest of the code.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0, mask_pattern=2
    )
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def verify_url(code: str) -> str:
    return settings.SITE_URL + reverse("certificate_verify", args=[code])


def _image_url(image) -> str:
    return image.file.url if image is not None and image.file else ""


def template_context(*, certificate: Certificate, template: CertificateTemplate) -> dict:
    url = verify_url(certificate.code)
    signatories = [
        {
            "name": getattr(template, f"signatory_{n}_name"),
            "title": getattr(template, f"signatory_{n}_title"),
            "signature": _image_url(getattr(template, f"signatory_{n}_signature")),
        }
        for n in (1, 2)
        if getattr(template, f"signatory_{n}_name")
    ]
    return {
        "certificate": certificate,
        "kind": certificate.kind,
        "holder_name": certificate.holder_name,
        "title": certificate.title,
        "period_start": certificate.period_start,
        "period_end": certificate.period_end,
        "hours": certificate.hours,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "code": certificate.code,
        "verify_url": url,
        "qr_code": qr_code_uri(url),
        "academy_logo": static(ACADEMY_LOGO),
        "partner_logo": _image_url(template.partner_logo),
        "signatories": signatories,
        "language": template.language,
    }


def render_html(*, certificate: Certificate, template: CertificateTemplate) -> str:
    django_template, _stylesheet = _compiled(template.html, template.css)
    with translation.override(template.language):
        return django_template.render(template_context(certificate=certificate, template=template))


def render_pdf(*, certificate: Certificate, template: CertificateTemplate) -> bytes:
    """The certificate as PDF bytes, from its template."""
    current = engine()
    django_template, stylesheet = _compiled(template.html, template.css)
    with translation.override(template.language):
        html = django_template.render(template_context(certificate=certificate, template=template))
    document = current.weasyprint.HTML(
        string=html, base_url=current.base_url, url_fetcher=current.fetcher
    )
    with current.lock:
        if len(current.images) > IMAGE_CACHE_SIZE:
            current.images.clear()
        return document.write_pdf(
            stylesheets=[stylesheet],
            font_config=current.font_config,
            cache=current.images,
        )


def default_template_files(language: str) -> tuple[str, str]:
    """The shipped (html, css) of the default template in `language` ("en" or "ur")."""
    name = "ur" if language == "ur" else "en"
    return (
        (DEFAULTS / f"{name}.html").read_text(encoding="utf-8"),
        (DEFAULTS / f"{name}.css").read_text(encoding="utf-8"),
    )


def sample_certificate(*, template: CertificateTemplate) -> Certificate:
    """An unsaved certificate with plausible content, for previews and benchmarks."""
    from trainers.models import Certificate

    urdu = template.language == "ur"
    return Certificate(
        code="PREV-2345-6789-ABCD",
        kind=template.kind or "course",
        holder_name="عائشہ صدیقی" if urdu else "Ayesha Siddiqui",
        title=(
            "ہوائی اڈوں اور سرحدی گزرگاہوں پر انسانی اسمگلنگ کے متاثرین کی شناخت"
            if urdu
            else "Identifying and Referring Victims of Trafficking at Airports"
        ),
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 3),
        hours=12,
        issued_on=date(2026, 3, 3),
        expires_on=date(2029, 3, 3) if template.kind == "tot" else None,
        language=template.language,
    )


def warm_up() -> None:
    """Load fonts, the default templates and the image cache (worker start, benchmarks)."""
    from trainers.models import CertificateTemplate

    for language in ("en", "ur"):
        html, css = default_template_files(language)
        template = CertificateTemplate(html=html, css=css, language=language, kind="course")
        render_pdf(certificate=sample_certificate(template=template), template=template)
