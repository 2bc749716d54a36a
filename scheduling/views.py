"""Pages of the shared training calendar: month, week and list views, a training, the
propose/change form with its conflicts, the Academy's approval queue, nominations, CSV
export and the private iCalendar feeds. Thin: the work is in services and selectors."""

import calendar as pycalendar
import csv
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.exceptions import ServiceError
from scheduling import selectors, services
from scheduling.conflicts import TrainingConflicts, training_conflicts
from scheduling.forms import NominateForm, TrainingForm
from scheduling.ical import calendar_build
from scheduling.models import CalendarFeed, Nomination, Training, TrainingAudience

VIEWS = ("month", "week", "list")
EDITABLE = (Training.Status.DRAFT, Training.Status.PROPOSED, Training.Status.CONFIRMED)
LIST_PAGE_SIZE = 50


def _anchor(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _query(filters: selectors.CalendarFilters, **extra) -> str:
    return urlencode({**filters.as_query(), **{k: v for k, v in extra.items() if v}})


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "month")
    if view not in VIEWS:
        view = "month"
    anchor = _anchor(request)
    filters = selectors.CalendarFilters.from_query(request.GET)
    context = {
        "view": view,
        "anchor": anchor,
        "filters": filters,
        "options": selectors.calendar_options(),
        "can_propose": selectors.can_propose(request.user),
        "board": selectors.can_see_board(request.user),
        "is_academy": selectors.is_academy(request.user),
        "today": timezone.localdate(),
    }
    if context["board"]:
        context["last_seq"] = selectors.coordination_last_seq()
        context["board_labels"] = _board_labels()
    if view == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        grid_first = first - timedelta(days=first.weekday())
        grid_last = last + timedelta(days=6 - last.weekday())
        start, end = selectors.local_day_bounds(grid_first, grid_last)
        trainings = selectors.calendar_trainings(
            user=request.user, start=start, end=end, filters=filters
        )
        days = selectors.days_of(
            first=grid_first, last=grid_last, trainings=trainings, in_month=first.month
        )
        context.update(
            title_date=first,
            weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
            weekdays=[days[i].date for i in range(7)],
            prev_query=_query(filters, view=view, date=(first - timedelta(days=1)).isoformat()),
            next_query=_query(filters, view=view, date=(last + timedelta(days=1)).isoformat()),
        )
    elif view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
        start, end = selectors.local_day_bounds(first, last)
        trainings = selectors.calendar_trainings(
            user=request.user, start=start, end=end, filters=filters, with_sessions=True
        )
        context.update(
            week_first=first,
            week_last=last,
            days=selectors.days_of(first=first, last=last, trainings=trainings),
            prev_query=_query(filters, view=view, date=(first - timedelta(days=7)).isoformat()),
            next_query=_query(filters, view=view, date=(first + timedelta(days=7)).isoformat()),
        )
    else:
        start, _end = selectors.local_day_bounds(anchor, anchor)
        trainings = selectors.calendar_trainings(
            user=request.user, start=start, end=None, filters=filters
        )
        page = Paginator(trainings, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page_obj=page, trainings=page.object_list)
    context["today_query"] = _query(filters, view=view)
    context["view_queries"] = {v: _query(filters, view=v, date=anchor.isoformat()) for v in VIEWS}
    context["export_query"] = _query(filters)
    return TemplateResponse(request, "scheduling/calendar.html", context)


def _board_labels() -> dict:
    """What the board's script writes, in the page's language."""
    return {
        "kinds": {
            "training.proposed": _("%(organiser)s proposed “%(title)s”"),
            "training.updated": _("%(organiser)s changed “%(title)s”"),
            "training.confirmed": _("The Academy confirmed “%(title)s” (%(organiser)s)"),
            "training.sent_back": _("The Academy sent “%(title)s” back to %(organiser)s"),
            "training.cancelled": _("%(organiser)s cancelled “%(title)s”"),
            "training.completed": _("“%(title)s” (%(organiser)s) was delivered"),
            "conflicts.detected": _("Conflicts acknowledged on “%(title)s” (%(organiser)s)"),
        },
        "statuses": dict(Training.Status.choices),
        "connected": _("Live"),
        "connecting": _("Connecting…"),
        "offline": _("Reconnecting…"),
        "new": _("New"),
    }


@login_required
def training_page(request: HttpRequest, pk: int) -> HttpResponse:
    training = selectors.training_get(user=request.user, pk=pk)
    selectors.training_detail(training=training)
    user = request.user
    manages = selectors.can_manage(user, training)
    context = {
        "training": training,
        "manages": manages,
        "is_academy": selectors.is_academy(user),
        "scope": selectors.nomination_scope(user, training),
        "counts": selectors.nomination_counts(training=training),
        "mine": selectors.my_nomination(user=user, training=training),
        "audience": _audience_rows(training),
        "assignments": list(training.assignments.all()),
    }
    context["editable"] = training.status in EDITABLE
    if (manages or context["is_academy"]) and context["editable"]:
        context["conflicts"] = training_conflicts(training)
    teaches = any(a.trainer.user_id == user.pk for a in context["assignments"])
    context["teaches"] = teaches
    context["show_remote"] = bool(training.remote_url) and (
        manages
        or teaches
        or context["is_academy"]
        or (context["mine"] is not None and context["mine"].status == Nomination.Status.CONFIRMED)
    )
    context["can_register"] = (
        training.status == Training.Status.CONFIRMED
        and training.self_registration
        and training.ends_at > timezone.now()
        and (context["mine"] is None or context["mine"].status not in selectors.ACTIVE_NOMINATION)
    )
    return TemplateResponse(request, "scheduling/training.html", context)


def _audience_rows(training: Training) -> list[tuple[str, list[str]]]:
    rows = []
    for kind, label in TrainingAudience.Kind.choices:
        values = [row.value for row in training.audience.all() if row.kind == kind]
        rows.append((label, values))
    return rows


def _form_page(request, *, training: Training | None) -> HttpResponse:
    user = request.user
    form = TrainingForm(request.POST or None, user=user, training=training)
    conflicts = []
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "propose")
        acknowledge = request.POST.get("acknowledge") == "1"
        keys = set(request.POST.getlist("conflict_key"))
        reason = request.POST.get("reason", "")
        try:
            if training is None:
                saved = services.training_propose(
                    user=user,
                    data=form.training_input(),
                    draft=action == "draft",
                    acknowledge_conflicts=acknowledge,
                    acknowledged_keys=keys,
                    reason=reason,
                )
                messages.success(
                    request,
                    _("Saved as a draft.")
                    if saved.status == Training.Status.DRAFT
                    else _("Proposed to the Academy."),
                )
            else:
                saved = services.training_update(
                    user=user,
                    training=training,
                    data=form.training_input(),
                    submit=action == "propose",
                    acknowledge_conflicts=acknowledge,
                    acknowledged_keys=keys,
                    reason=reason,
                )
                messages.success(request, _("Saved."))
            return redirect(saved)
        except TrainingConflicts as error:
            conflicts = error.errors
        except ServiceError as error:
            form.add_service_errors(error.errors)
            if not any(item.field in form.fields for item in error.errors):
                messages.error(request, error.detail)
            if any(item.field == "reason" for item in error.errors):
                conflicts = _recheck(form, training)
    return TemplateResponse(
        request,
        "scheduling/training_form.html",
        {
            "form": form,
            "training": training,
            "conflicts": conflicts,
            "reason": request.POST.get("reason", ""),
            "action": request.POST.get("action", "propose"),
        },
        status=409 if conflicts else 200,
    )


def _recheck(form: TrainingForm, training: Training | None):
    try:
        return services.training_conflicts_preview(data=form.training_input(), training=training)
    except ServiceError:
        return []


@login_required
def training_new(request: HttpRequest) -> HttpResponse:
    if not selectors.can_propose(request.user):
        raise Http404
    return _form_page(request, training=None)


@login_required
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    training = selectors.training_get(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, training) or training.status not in EDITABLE:
        raise Http404
    selectors.training_detail(training=training)
    return _form_page(request, training=training)


@login_required
@require_POST
def training_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    training = selectors.training_get(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "approve":
            services.training_approve(user=user, training=training)
            messages.success(request, _("Confirmed: nominations are open."))
        elif action == "send-back":
            services.training_send_back(
                user=user, training=training, note=request.POST.get("note", "")
            )
            messages.success(request, _("Sent back to the organiser."))
        elif action == "cancel":
            services.training_cancel(
                user=user, training=training, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The training is cancelled."))
        elif action == "complete":
            reached = request.POST.get("participants_reached", "").strip()
            services.training_complete(
                user=user,
                training=training,
                participants_reached=int(reached) if reached.isdigit() else None,
            )
            messages.success(request, _("Recorded as delivered."))
        elif action == "register":
            services.nomination_create(training=training, users=[user], by=user)
            messages.success(request, _("You are registered."))
        else:
            raise Http404
    except TrainingConflicts as error:
        messages.error(request, " ".join([error.detail, *(c.message for c in error.errors)]))
    except ServiceError as error:
        messages.error(request, " ".join([error.detail, *(e.message for e in error.errors)]))
    return redirect(training)


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    if not selectors.is_academy(request.user):
        raise Http404
    return TemplateResponse(
        request, "scheduling/approvals.html", {"trainings": selectors.approval_queue()}
    )


@login_required
def nominations_page(request: HttpRequest, pk: int) -> HttpResponse:
    training = selectors.training_get(user=request.user, pk=pk)
    user = request.user
    scope = selectors.nomination_scope(user, training)
    if scope is None and not selectors.is_academy(user) and not selectors.teaches(user, training):
        raise Http404
    form = NominateForm(request.POST or None)
    conflicts = []
    status = 200
    if request.method == "POST" and scope is not None and form.is_valid():
        names = form.names()
        people, missing = selectors.users_named(names=names)
        if missing:
            form.add_error(
                "officers", _("Nobody is called: %(names)s") % {"names": ", ".join(missing)}
            )
        else:
            try:
                done = services.nomination_create(
                    training=training,
                    users=people,
                    by=user,
                    acknowledge_conflicts=request.POST.get("acknowledge") == "1",
                    acknowledged_keys=set(request.POST.getlist("conflict_key")),
                    reason=request.POST.get("reason", ""),
                )
                confirmed = sum(n.status == Nomination.Status.CONFIRMED for n in done)
                messages.success(
                    request,
                    _("%(confirmed)s confirmed, %(waiting)s on the waiting list.")
                    % {"confirmed": confirmed, "waiting": len(done) - confirmed},
                )
                return redirect("scheduling:nominations", pk=training.pk)
            except TrainingConflicts as error:
                conflicts = error.errors
                status = 409
            except ServiceError as error:
                form.add_error(
                    "officers" if not any(e.field == "reason" for e in error.errors) else None,
                    " ".join([error.detail, *(e.message for e in error.errors)]),
                )
    return TemplateResponse(
        request,
        "scheduling/nominations.html",
        {
            "training": training,
            "form": form,
            "scope": scope,
            "conflicts": conflicts,
            "reason": request.POST.get("reason", ""),
            "nominations": selectors.nominations_of(training=training, user=user),
            "counts": selectors.nomination_counts(training=training),
        },
        status=status,
    )


@login_required
@require_POST
def nomination_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    nomination = get_object_or_404(Nomination.objects.select_related("training"), pk=pk)
    training = selectors.training_get(user=request.user, pk=nomination.training_id)
    if (
        nomination.user_id != request.user.pk
        and selectors.nomination_scope(request.user, training) is None
        and not selectors.is_academy(request.user)
    ):
        raise Http404  # someone else's nomination, which this user never sees
    try:
        if action == "withdraw":
            services.nomination_withdraw(nomination=nomination, by=request.user)
            messages.success(request, _("Withdrawn."))
        elif action == "decline":
            services.nomination_decline(nomination=nomination, by=request.user)
            messages.success(request, _("Declined."))
        else:
            raise Http404
    except ServiceError as error:
        messages.error(request, error.detail)
    if request.user.pk == nomination.user_id and action == "withdraw":
        return redirect(training)
    return redirect("scheduling:nominations", pk=training.pk)


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    filters = selectors.CalendarFilters.from_query(request.GET)
    start = end = None
    for name in ("from", "to"):
        try:
            day = date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            continue
        bounds = selectors.local_day_bounds(day, day)
        if name == "from":
            start = bounds[0]
        else:
            end = bounds[1]
    trainings = selectors.training_list_for_export(
        user=request.user, filters=filters, start=start, end=end
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trainings.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 (Urdu names) with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            "id", "title", "status", "course", "themes", "organiser", "co_organisers",
            "modality", "starts_at", "ends_at", "time_zone", "venue", "capacity",
            "confirmed", "trainers", "audience", "url",
        ]
    )  # fmt: skip
    for t in trainings:
        writer.writerow(
            [
                t.pk,
                t.title,
                t.status,
                t.course.code if t.course_id else "",
                "; ".join(theme.name for theme in t.themes.all()),
                t.organiser.short_name,
                "; ".join(o.short_name for o in t.co_organisers.all()),
                t.modality,
                timezone.localtime(t.starts_at).isoformat(),
                timezone.localtime(t.ends_at).isoformat(),
                t.time_zone,
                t.venue,
                t.capacity,
                t.confirmed_count,
                "; ".join(a.trainer.full_name for a in t.assignments.all()),
                "; ".join(f"{row.kind}:{row.value}" for row in t.audience.all()),
                f"{settings.SITE_URL}{t.get_absolute_url()}",
            ]
        )
    return response


@login_required
def feeds_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisation = user.organisation if selectors.is_coordinator(user) else None
    if request.method == "POST":
        which = request.POST.get("feed")
        if which == "organisation" and organisation is not None:
            services.calendar_feed_regenerate(organisation=organisation)
        else:
            services.calendar_feed_regenerate(user=user)
        messages.success(request, _("A new address is ready; the old one no longer works."))
        return redirect("scheduling:feeds")
    feeds = [("personal", services.calendar_feed_get(user=user))]
    if organisation is not None:
        feeds.append(("organisation", services.calendar_feed_get(organisation=organisation)))
    return TemplateResponse(
        request,
        "scheduling/feeds.html",
        {
            "feeds": [
                (kind, request.build_absolute_uri(feed.get_absolute_url())) for kind, feed in feeds
            ],
            "organisation": organisation,
        },
    )


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed behind a private address; calendar clients fetch it unsigned."""
    feed = CalendarFeed.objects.select_related("user", "organisation").filter(token=token).first()
    if feed is None or (feed.user_id and not feed.user.is_active):
        raise Http404
    since = timezone.now() - timedelta(days=settings.CALENDAR_FEED_PAST_DAYS)
    if feed.user_id:
        trainings = selectors.user_feed_trainings(user=feed.user, since=since)
        name = _("FIA Academy trainings: %(name)s") % {
            "name": feed.user.get_full_name() or feed.user.username
        }
    else:
        trainings = selectors.organisation_feed_trainings(
            organisation=feed.organisation, since=since
        )
        name = _("FIA Academy trainings: %(name)s") % {"name": feed.organisation}
    response = HttpResponse(
        calendar_build(name=name, trainings=trainings), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="trainings.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
