"""Registry pages: search, trainer profile, cohorts, import/export, summary figures.

Any signed-in user may search the registry and read profiles and cohorts (as the API allows);
contact details are for administrators, reviewers, partner coordinators and the trainer
themselves; administrators import lists, manage cohorts and change certifications.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.exceptions import ServiceError
from lms.roles import Role
from trainers.models import Certification, Cohort, CohortParticipant, Trainer
from trainers.registry_export import registry_csv, registry_xlsx
from trainers.selectors import registry as selectors
from trainers.services import registry as services
from trainers.services.registry_import import IMPORT_COLUMNS, trainers_import
from trainers.views.registry_forms import (
    AddParticipantsForm,
    CertificationRenewForm,
    CertificationStateForm,
    OutcomeForm,
    TrainerImportForm,
)

CONTACT_ROLES = (Role.ADMIN, Role.REVIEWER, Role.PARTNER)
CARD_THEMES = 4  # thematic areas shown on a search result; the profile lists them all


def is_registry_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN))


def sees_contacts(user, trainer: Trainer | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if trainer is not None and trainer.user_id == user.pk:
        return True
    return user.is_superuser or any(user.has_role(role) for role in CONTACT_ROLES)


def _require_admin(request: HttpRequest) -> None:
    if not is_registry_admin(request.user):
        raise PermissionDenied(_("Only academy administrators may do this."))


# --- Search and export -------------------------------------------------------------------
@login_required
def registry(request: HttpRequest) -> HttpResponse:
    filters = selectors.RegistryFilters.from_params(request.GET).cleaned()
    trainers = selectors.trainer_search(filters=filters)
    page = Paginator(trainers, selectors.REGISTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_themes(
        page.object_list, first=filters.theme, limit=CARD_THEMES
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "trainers/registry.html",
        {
            "trainers": page,
            "filters": filters,
            "options": selectors.registry_options(),
            "query": query.urlencode(),
            "is_admin": is_registry_admin(request.user),
        },
    )


@login_required
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = selectors.RegistryFilters.from_params(request.GET).cleaned()
    trainers = selectors.trainer_search(filters=filters)
    contacts = sees_contacts(request.user)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            registry_xlsx(trainers=trainers, contacts=contacts),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            registry_csv(trainers=trainers, contacts=contacts),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="trainers-{stamp}.{fmt}"'
    return response


# --- Trainer profile and certifications --------------------------------------------------
@login_required
def trainer(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.trainer_profile(pk=pk)
    admin = is_registry_admin(request.user)
    return TemplateResponse(
        request,
        "trainers/trainer.html",
        {
            "profile": profile,
            "trainer": profile.trainer,
            "contacts": sees_contacts(request.user, profile.trainer),
            "is_admin": admin,
            "is_me": profile.trainer.user_id == request.user.pk,
            "state_choices": Certification.State.choices,
        },
    )


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    """The signed-in trainer's own profile (where expiry reminders point)."""
    own = Trainer.objects.filter(user=request.user).values_list("pk", flat=True).first()
    if own is None:
        raise Http404
    return redirect("trainers:trainer", pk=own)


@login_required
@require_POST
def certification_state(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    certification = get_object_or_404(Certification, pk=pk)
    form = CertificationStateForm(request.POST)
    if form.is_valid():
        try:
            services.certification_set_state(
                certification=certification,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ServiceError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("The certification is now %(state)s.")
                % {"state": Certification.State(form.cleaned_data["state"]).label.lower()},
            )
    else:
        messages.error(request, _("Choose a state."))
    return redirect("trainers:trainer", pk=certification.trainer_id)


@login_required
@require_POST
def certification_renew(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    certification = get_object_or_404(Certification, pk=pk)
    form = CertificationRenewForm(request.POST)
    if form.is_valid():
        try:
            renewed = services.certification_renew(
                certification=certification,
                expires_on=form.cleaned_data["expires_on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ServiceError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Renewed until %(date)s.") % {"date": renewed.expires_on.isoformat()},
            )
    else:
        messages.error(request, _("Give a valid date."))
    return redirect("trainers:trainer", pk=certification.trainer_id)


def _error_text(error: ServiceError) -> str:
    return " ".join([error.detail, *(item.message for item in error.errors)])


# --- Cohorts -----------------------------------------------------------------------------
@login_required
def cohorts(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(selectors.cohort_list(q=q), selectors.COHORT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "trainers/cohorts.html",
        {"cohorts": page, "q": q, "is_admin": is_registry_admin(request.user)},
    )


@login_required
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    admin = is_registry_admin(request.user)
    add_form = None
    if admin:
        instance = get_object_or_404(Cohort, pk=pk)
        add_form = AddParticipantsForm(
            request.POST if request.POST.get("action") == "add" else None, cohort=instance
        )
        if request.method == "POST":
            response = _cohort_action(request, instance, add_form)
            if response is not None:
                return response
    elif request.method == "POST":
        _require_admin(request)
    detail = selectors.cohort_detail(pk=pk)
    return TemplateResponse(
        request,
        "trainers/cohort.html",
        {
            "detail": detail,
            "cohort": detail.cohort,
            "participants": detail.participants,
            "can_manage": admin,
            "is_admin": admin,
            "add_form": add_form,
            "outcomes": CohortParticipant.Outcome.choices,
        },
    )


def _cohort_action(request: HttpRequest, cohort: Cohort, add_form) -> HttpResponse | None:
    action = request.POST.get("action")
    here = reverse("trainers:cohort", args=[cohort.pk])
    try:
        if action == "add":
            if not add_form.is_valid():
                return None
            added = services.cohort_add_participants(
                cohort=cohort, trainers=add_form.cleaned_data["trainers"]
            )
            messages.success(request, _("%(n)d participants added.") % {"n": added})
        elif action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose an outcome."))
                return redirect(here)
            participant = get_object_or_404(
                Trainer, pk=form.cleaned_data["trainer"], memberships__cohort=cohort
            )
            services.cohort_set_outcome(
                cohort=cohort,
                trainer=participant,
                outcome=form.cleaned_data["outcome"],
                by=request.user,
            )
            messages.success(
                request, _("Outcome saved for %(name)s.") % {"name": participant.full_name}
            )
        elif action == "certify_all":
            granted = services.cohort_certify_participants(cohort=cohort, by=request.user)
            messages.success(request, _("%(n)d participants certified.") % {"n": len(granted)})
        else:
            messages.error(request, _("Unknown action."))
    except ServiceError as error:
        messages.error(request, _error_text(error))
    return redirect(here)


# --- Summary and import ------------------------------------------------------------------
@login_required
def summary(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "trainers/summary.html", selectors.registry_summary())


@login_required
def import_trainers(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = TrainerImportForm(request.POST or None, request.FILES or None)
    errors, detail = [], ""
    if request.method == "POST" and form.is_valid():
        try:
            result = trainers_import(data=form.cleaned_data["file"].read(), by=request.user)
        except ServiceError as error:
            errors, detail = error.errors, error.detail
            if not errors:
                form.add_error(None, error.detail)
        else:
            messages.success(
                request,
                _("%(created)d trainers added, %(updated)d updated, %(certified)d certified.")
                % {
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "certified": result.certified,
                },
            )
            return redirect("trainers:registry")
    return TemplateResponse(
        request,
        "trainers/import.html",
        {"form": form, "errors": errors, "detail": detail, "columns": IMPORT_COLUMNS},
    )


urlpatterns = [
    path("", registry, name="registry"),
    path("export.csv", registry_export, {"fmt": "csv"}, name="registry_export_csv"),
    path("export.xlsx", registry_export, {"fmt": "xlsx"}, name="registry_export_xlsx"),
    path("me/", my_profile, name="me"),
    path("summary/", summary, name="summary"),
    path("import/", import_trainers, name="import"),
    path("cohorts/", cohorts, name="cohorts"),
    path("cohorts/<int:pk>/", cohort, name="cohort"),
    path("certifications/<int:pk>/state/", certification_state, name="certification_state"),
    path("certifications/<int:pk>/renew/", certification_renew, name="certification_renew"),
    path("<int:pk>/", trainer, name="trainer"),
]
