"""The PDF engine: what templates may fetch, HarfBuzz subsetting (no fontTools fallback),
Urdu shaped with an Urdu font and no missing glyphs, the template preview."""

import base64
import io
import logging
import re
import shutil
import subprocess

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from trainers.certificates import render
from trainers.models import CertificateTemplate

FALLBACK = "fontTools instead of HarfBuzz-Subset"
MISSING_GLYPH = ".notdef glyph rendered"


def template_for(language: str = "en", kind: str = "course", **fields) -> CertificateTemplate:
    html, css = render.default_template_files(language)
    values = {"html": html, "css": css, "language": language, "kind": kind, "name": "Test"}
    values.update(fields)
    return CertificateTemplate(**values)


def render_sample(template: CertificateTemplate) -> bytes:
    return render.render_pdf(
        certificate=render.sample_certificate(template=template), template=template
    )


@pytest.fixture
def weasyprint_warnings(caplog):
    """The warnings WeasyPrint logs while a test renders."""
    caplog.set_level(logging.WARNING, logger="weasyprint")

    def collected() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]

    return collected


# --- HarfBuzz ------------------------------------------------------------------------------
def test_fonts_are_subset_with_harfbuzz_not_the_slow_fonttools_fallback(weasyprint_warnings):
    """Fails when libharfbuzz-subset0 is missing: WeasyPrint then warns that it uses
    fontTools and renders several times slower (issue #6, Speed)."""
    render_sample(template_for("en"))
    render_sample(template_for("ur"))

    fallbacks = [message for message in weasyprint_warnings() if FALLBACK in message]
    assert not fallbacks, (
        "WeasyPrint fell back to fontTools: install libharfbuzz-subset0 (.ci/run, Dockerfile)"
    )


def test_the_fallback_check_would_see_a_missing_subset_library(monkeypatch, weasyprint_warnings):
    import weasyprint.pdf.fonts

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)

    render_sample(template_for("en"))

    assert any(FALLBACK in message for message in weasyprint_warnings())


def test_the_system_check_reports_no_missing_subset_library():
    from trainers.certificates.checks import harfbuzz_subset_check

    assert harfbuzz_subset_check(None) == []


# --- Urdu ---------------------------------------------------------------------------------
def pdffonts(data: bytes, tmp_path) -> str:
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils (pdffonts) is not installed")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout


def test_the_urdu_template_is_set_in_an_urdu_font_without_missing_glyphs(
    weasyprint_warnings, tmp_path
):
    pdf = render_sample(template_for("ur", kind="tot"))

    assert not [m for m in weasyprint_warnings() if MISSING_GLYPH in m]
    fonts = pdffonts(pdf, tmp_path)
    assert "Noto-Nastaliq-Urdu" in fonts or "Noto-Naskh-Arabic" in fonts, fonts
    # Every font is embedded (subset), so the PDF looks the same everywhere.
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" and row[-4] == "yes" for row in rows), fonts


def test_the_missing_glyph_check_would_see_a_character_no_font_has(weasyprint_warnings):
    template = template_for("ur")
    template.html = template.html.replace("{{ holder_name }}", "{{ holder_name }} \U000f0000")

    render_sample(template)

    assert any(MISSING_GLYPH in message for message in weasyprint_warnings())


def test_the_urdu_certificate_renders_to_a_page_with_ink(tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    path = tmp_path / "urdu.pdf"
    path.write_bytes(render_sample(template_for("ur")))

    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-singlefile", str(path), str(tmp_path / "urdu")],
        check=True,
    )

    image = Image.open(tmp_path / "urdu.png").convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > image.width * image.height * 0.02  # frame, text and QR code


def test_the_urdu_certificate_keeps_the_code_readable_left_to_right():
    pdf = render_sample(template_for("ur"))

    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "PREV-2345-6789-ABCD" in text.replace(" ", "")


# --- What a template may fetch -----------------------------------------------------------
def test_the_platform_s_static_files_are_read_from_disk(settings):
    resource = render.resolve(f"{settings.SITE_URL}/static/lms/img/logo.svg")

    assert resource.mime_type == "image/svg+xml"
    assert b"<svg" in resource.data


def test_media_files_are_read_through_the_storage(settings):
    name = default_storage.save("certificate-tests/logo.png", ContentFile(b"\x89PNG fake"))
    try:
        resource = render.resolve(f"{settings.SITE_URL}/media/{name}")
    finally:
        default_storage.delete(name)

    assert resource.data == b"\x89PNG fake"
    assert resource.mime_type == "image/png"


def test_data_uris_are_allowed():
    assert render.resolve("data:text/plain;base64,aGVsbG8=").data == b"hello"
    assert render.resolve("data:,a%20b").data == b"a b"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/logo.png",
        "https://169.254.169.254/latest/meta-data/",
        "ftp://example.org/x",
        "{site}/static/../../lms/settings.py",
        "{site}/static/%2e%2e/%2e%2e/lms/settings.py",
        "{site}/static/lms/img/../../../../../etc/passwd",
        "{site}/media/../lms/settings.py",
        "{site}/media/%2e%2e/db.sqlite3",
        "{site}/static//etc/passwd",
        "{site}/admin/",
        "{site}/static/lms/img/nothing-here.svg",
        "http://127.0.0.1:8000@example.org/static/lms/img/logo.svg",
    ],
)
def test_everything_else_is_refused(url, settings):
    with pytest.raises(render.RefusedURL):
        render.resolve(url.format(site=settings.SITE_URL))


def test_a_template_that_asks_for_a_local_file_renders_without_it(weasyprint_warnings):
    template = template_for("en")
    template.html = template.html.replace(
        "</body>",
        '<img src="file:///etc/hostname"><link rel="stylesheet" href="http://example.org/a.css">'
        "</body>",
    )

    pdf = render_sample(template)

    assert pdf.startswith(b"%PDF")
    messages = " ".join(weasyprint_warnings())
    assert "file:///etc/hostname" in messages and "example.org" in messages


# --- Preview ------------------------------------------------------------------------------
def test_the_preview_is_a_sample_pdf_of_the_template_being_edited(rf):
    template = template_for("en", signatory_1_name="Dr. Imran Qureshi")

    response = template.serve_preview(rf.get("/"), "")

    assert response["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Ayesha Siddiqui" in text and "Dr. Imran Qureshi" in text


def test_the_image_preview_is_a_png(rf):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    template = template_for("ur")

    response = template.serve_preview(rf.get("/"), "image")

    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    data = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1))
    assert Image.open(io.BytesIO(data)).width > 500
    assert template.default_preview_mode == "image"


def test_a_template_error_shows_in_the_preview(rf):
    template = template_for("en", html="{{ holder_name|no_such_filter }}")

    response = template.serve_preview(rf.get("/"), "")

    assert "cannot be rendered" in response.content.decode()


def test_a_template_with_a_syntax_error_does_not_validate():
    from django.core.exceptions import ValidationError

    template = template_for("en", html="{% if %}")

    with pytest.raises(ValidationError) as error:
        template.clean()
    assert "html" in error.value.message_dict
