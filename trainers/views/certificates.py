"""Certificate pages: my certificates, downloads, issue jobs, revocation and re-issue, and the
public verification page (at /verify/<code>/, routed from lms/urls.py).

Holders download their own certificates; administrators download, revoke and re-issue any,
and issue a cohort's certificates in bulk. Anyone else gets 404 (nothing is revealed).
"""

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lms.exceptions import ServiceError
from trainers.certificates import render
from trainers.certificates.throttling import verify_allowed
from trainers.models import Certificate, CertificateIssueJob, Cohort
from trainers.selectors import certificates as selectors
from trainers.services import certificates as services

MANAGE_PAGE_SIZE = 50


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept with the certificate; verification only says “revoked”."),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Certificate code"),
        max_length=40,
        help_text=gettext_lazy("Printed on the certificate, e.g. ABCD-EFGH-JKMN-PQRS."),
    )


def _require_manager(request: HttpRequest) -> None:
    if not selectors.can_manage_certificates(request.user):
        raise Http404


# --- Holders -----------------------------------------------------------------------------
@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    certificates = list(selectors.certificate_list_for(user=request.user))
    return TemplateResponse(
        request,
        "trainers/certificates/my_certificates.html",
        {
            "certificates": certificates,
            "can_manage": selectors.can_manage_certificates(request.user),
        },
    )


@login_required
def certificate_download(request: HttpRequest, code: str) -> HttpResponse:
    certificate = selectors.certificate_for_download(user=request.user, code=code)
    if certificate is None or not certificate.pdf:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )


# --- Public verification -----------------------------------------------------------------
def verify_form(request: HttpRequest) -> HttpResponse:
    """/verify/: type a code (or arrive with ?code=) and go to its verification page."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = services.certificate_code_normalise(form.cleaned_data["code"])
        if code:
            return redirect("certificate_verify", code=code)
    return TemplateResponse(request, "trainers/certificates/verify.html", {"form": form})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """/verify/<code>/: what the QR code on a certificate opens. Public, rate limited."""
    allowed, wait = verify_allowed(request)
    if not allowed:
        response = TemplateResponse(
            request, "trainers/certificates/verify.html", {"throttled": True}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    result = selectors.certificate_verify(code=code)
    return TemplateResponse(
        request,
        "trainers/certificates/verify.html",
        {
            "result": result,
            "form": VerifyForm(),
            "can_manage": selectors.can_manage_certificates(request.user),
        },
        status=200 if result.found else 404,
    )


# --- Administrators ----------------------------------------------------------------------
@login_required
def certificates_manage(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    certificates = selectors.certificate_search(q=q, status=status)
    page = Paginator(certificates, MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "trainers/certificates/manage.html",
        {
            "certificates": page,
            "q": q,
            "status": status,
            "statuses": Certificate.Status.choices,
            "query": query.urlencode(),
        },
    )


@login_required
def certificate_detail(request: HttpRequest, code: str, revoke_form=None) -> HttpResponse:
    _require_manager(request)
    certificate = selectors.certificate_detail(code=code)
    if certificate is None:
        raise Http404
    return TemplateResponse(
        request,
        "trainers/certificates/detail.html",
        {
            "certificate": certificate,
            "public_status": certificate.public_status,
            "revoke_form": revoke_form or RevokeForm(),
        },
        status=400 if revoke_form is not None else 200,
    )


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, code: str) -> HttpResponse:
    _require_manager(request)
    certificate = selectors.certificate_detail(code=code)
    if certificate is None:
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return certificate_detail(request, code, revoke_form=form)
    try:
        services.certificate_revoke(
            certificate=certificate, reason=form.cleaned_data["reason"], by=request.user
        )
    except ServiceError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The certificate is revoked."))
    return redirect("trainers:certificate_detail", code=certificate.code)


@login_required
@require_POST
def certificate_reissue(request: HttpRequest, code: str) -> HttpResponse:
    _require_manager(request)
    certificate = selectors.certificate_detail(code=code)
    if certificate is None:
        raise Http404
    try:
        new = services.certificate_reissue(certificate=certificate, by=request.user)
    except ServiceError as error:
        messages.error(request, error.detail)
        return redirect("trainers:certificate_detail", code=certificate.code)
    messages.success(
        request,
        _("Re-issued with the code %(code)s; the old code now says “replaced”.")
        % {"code": new.code},
    )
    return redirect("trainers:certificate_detail", code=new.code)


# --- Cohort bulk issue -------------------------------------------------------------------
@login_required
@require_POST
def cohort_certificates_issue(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    cohort = get_object_or_404(Cohort, pk=pk)
    job = services.cohort_certificates_issue(cohort=cohort, by=request.user)
    messages.info(request, _("Issuing the cohort's certificates."))
    return redirect("trainers:certificate_job", pk=job.pk)


def _job_for(request: HttpRequest, pk: int) -> CertificateIssueJob:
    _require_manager(request)
    return get_object_or_404(CertificateIssueJob.objects.select_related("cohort"), pk=pk)


def _job_state(job: CertificateIssueJob) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
        "finished": job.state
        in (CertificateIssueJob.State.FINISHED, CertificateIssueJob.State.FAILED),
    }


@login_required
def certificate_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return TemplateResponse(
        request,
        "trainers/certificates/job.html",
        {"job": job, "state": _job_state(job), "cohort": job.cohort},
    )


@login_required
def certificate_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_job_state(_job_for(request, pk)))


# --- Template preview (Wagtail admin) ----------------------------------------------------
# The preview is framed by Wagtail's editor (same origin) and a PDF needs the browser's
# viewer, which the platform's `object-src 'none'` would block.
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "img-src": ["data:"],
    "object-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}


def certificate_template_preview(request: HttpRequest, *, template, mode: str = "") -> HttpResponse:
    """A sample certificate from the template being edited: the PDF, or (mode "image") its
    first page as an image (when poppler's pdftoppm is installed), fitted to the panel."""
    try:
        pdf = render.render_pdf(
            certificate=render.sample_certificate(template=template), template=template
        )
    except Exception as error:  # a template being edited may fail at render time
        response = HttpResponse(
            _("The template cannot be rendered: %(error)s") % {"error": error},
            content_type="text/plain; charset=utf-8",
        )
        response._csp_replace = PREVIEW_CSP
        return response
    pdftoppm = shutil.which("pdftoppm")
    if mode == "image" and pdftoppm:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "sample.pdf"
            source.write_bytes(pdf)
            subprocess.run(  # noqa: S603 - fixed program and arguments
                [
                    pdftoppm,
                    "-png",
                    "-r",
                    "96",
                    "-singlefile",
                    str(source),
                    str(source.with_suffix("")),
                ],
                check=True,
                timeout=30,
                capture_output=True,
            )
            image = base64.b64encode(source.with_suffix(".png").read_bytes()).decode("ascii")
        response = HttpResponse(
            format_html(
                '<!doctype html><html lang="en"><title>{}</title>'
                '<img src="data:image/png;base64,{}" width="100%" alt="{}"></html>',
                template.name or _("Certificate preview"),
                image,
                _("A sample certificate made from this template"),
            )
        )
    else:
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="certificate-preview.pdf"'
    response._csp_replace = PREVIEW_CSP
    return response


urlpatterns = [
    path("certificates/", my_certificates, name="certificates"),
    path("certificates/manage/", certificates_manage, name="certificates_manage"),
    path("certificates/jobs/<int:pk>/", certificate_job, name="certificate_job"),
    path(
        "certificates/jobs/<int:pk>/progress.json",
        certificate_job_progress,
        name="certificate_job_progress",
    ),
    path("certificates/<str:code>/", certificate_detail, name="certificate_detail"),
    path("certificates/<str:code>/download/", certificate_download, name="certificate_download"),
    path("certificates/<str:code>/revoke/", certificate_revoke, name="certificate_revoke"),
    path("certificates/<str:code>/reissue/", certificate_reissue, name="certificate_reissue"),
    path(
        "cohorts/<int:pk>/certificates/issue/",
        cohort_certificates_issue,
        name="cohort_certificates_issue",
    ),
]

# Routed at the site's root by lms/urls.py (outside the "trainers" namespace).
verify_urlpatterns = [
    path("verify/", verify_form, name="certificate_verify_form"),
    path("verify/<str:code>/", verify, name="certificate_verify"),
]
