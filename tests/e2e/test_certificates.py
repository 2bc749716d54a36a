"""Certificates as people use them: the demo officer (who completed FIA-THB-101 in the demo)
downloads the certificate, anyone opens the QR code's link and reads "valid", an
administrator revokes it and the same page then says "revoked"."""

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pypdf
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

COURSE_TITLE = "Identifying and Referring Victims of Trafficking"


def pdf_link(reader: pypdf.PdfReader) -> str:
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/verify/" in str(action.get("/URI", "")):
                return str(action["/URI"])
    raise AssertionError("the PDF has no link to the verification page")


def test_officer_downloads_a_certificate_that_verifies_until_revoked(new_page, live_site, tmp_path):
    # the officer finds the certificate from the dashboard and downloads it
    officer = new_page()
    sign_in(officer, "officer")
    officer.get_by_role("link", name="My certificates").click()
    expect(officer.get_by_role("heading", name="My certificates")).to_be_visible()
    row = officer.get_by_role("row").filter(has_text=COURSE_TITLE)
    expect(row.get_by_text("Valid", exact=True)).to_be_visible()
    screenshot(officer, "certificates-mine")
    with officer.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("Download PDF")).click()
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)

    # the PDF names the holder and carries the code, the link and the QR code's address
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    link = pdf_link(reader)
    code = re.search(r"/verify/([0-9A-Z-]+)/$", link).group(1)
    assert "Bilal Ahmed" in text
    assert code in text
    assert COURSE_TITLE in text
    if shutil.which("pdftotext"):
        poppler_text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Bilal Ahmed" in poppler_text and code in poppler_text

    # anyone opens the QR code's address (on this test server) and reads "valid"
    verifier = new_page()
    verifier.goto(urlsplit(link).path)
    expect(verifier.get_by_role("heading", name="This certificate is valid.")).to_be_visible()
    expect(verifier.get_by_text("Bilal Ahmed")).to_be_visible()
    expect(verifier.get_by_text(COURSE_TITLE)).to_be_visible()
    screenshot(verifier, "certificate-verify-valid")

    # an administrator revokes it from the same page, giving a reason
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto(urlsplit(link).path)
    admin.get_by_role("link", name="Manage this certificate").click()
    admin.get_by_role("button", name="Revoke the certificate").click()
    expect(admin.get_by_text("This field is required.")).to_be_visible()
    admin.get_by_label("Reason").fill("Completion recorded against the wrong officer")
    admin.get_by_role("button", name="Revoke the certificate").click()
    expect(admin.get_by_text("The certificate is revoked.")).to_be_visible()
    screenshot(admin, "certificate-revoked-admin")

    # the verification page now says revoked, and not why
    verifier.reload()
    expect(
        verifier.get_by_role("heading", name="This certificate has been revoked.")
    ).to_be_visible()
    expect(verifier.get_by_text("wrong officer")).to_have_count(0)
    screenshot(verifier, "certificate-verify-revoked")

    # the page in Urdu, right to left
    verifier.context.add_cookies([{"name": "django_language", "value": "ur", "url": live_site.url}])
    verifier.reload()
    expect(verifier.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(verifier, "certificate-verify-revoked-urdu")


def test_an_unknown_code_says_so(page):
    page.goto("/verify/")
    page.get_by_label("Certificate code").fill("abcd efgh jkmn pqrs")
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(re.compile(r"/verify/ABCD-EFGH-JKMN-PQRS/$"))
    expect(page.get_by_role("heading", name="No certificate has this code.")).to_be_visible()
