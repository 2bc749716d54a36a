"""The benchmark courses' page tree: `pages` writes courses with their modules and lessons
straight into Wagtail's page tree (paths computed here, as treebeard would, with `step` and
`unstep`), then the rows of each page type, because creating tens of thousands of pages one
by one through the ORM takes far too long.
"""

import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, LessonPage, ModulePage, ThematicArea
from lms.benchdata.bulk import copy_objects
from lms.benchdata.constants import ALPHABET, BODY


def step(number: int) -> str:
    out = ""
    for _ in range(Page.steplen):
        number, digit = divmod(number, len(ALPHABET))
        out = ALPHABET[digit] + out
    return out


def unstep(value: str) -> int:
    number = 0
    for char in value:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    return number


def pages(catalogue, specs, rng, bodies=None) -> tuple[list[int], dict[int, list[int]]]:
    """Write courses with their modules and lessons. `specs` is a list of (code, title,
    lessons per module); `bodies` maps (course code, module, lesson), counted from 1,
    to a lesson body (StreamField raw data) and completion rule."""
    bodies = bodies or {}
    types = {
        model: ContentType.objects.get_for_model(model).pk
        for model in (CoursePage, ModulePage, LessonPage)
    }
    now = timezone.now()
    themes = list(ThematicArea.objects.values_list("pk", flat=True))
    depth = catalogue.depth + 1
    last = (
        Page.objects.filter(path__startswith=catalogue.path, depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    first = unstep(last[-Page.steplen :]) + 1 if last else 1
    rows, course_rows, module_rows, lesson_rows = [], [], [], []

    def page(path: str, numchild: int, title: str, slug: str, url: str, ct):
        rows.append(
            Page(
                path=path,
                depth=len(path) // Page.steplen,
                numchild=numchild,
                title=title,
                draft_title=title,
                slug=slug,
                url_path=url,
                content_type_id=ct,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                locale_id=catalogue.locale_id,
                translation_key=uuid.uuid4(),
            )
        )

    for c, (code, title, modules) in enumerate(specs):
        course_path = catalogue.path + step(first + c)
        course_url = f"{catalogue.url_path}{code.lower()}/"
        page(course_path, len(modules), title, code.lower(), course_url, types[CoursePage])
        course_rows.append((course_path, code, title))
        for m, lessons in enumerate(modules, 1):
            module_path = course_path + step(m)
            module_url = f"{course_url}day-{m}/"
            page(module_path, lessons, f"Day {m}", f"day-{m}", module_url, types[ModulePage])
            module_rows.append(module_path)
            for n in range(1, lessons + 1):
                body, rule = bodies.get((code, m, n), (BODY, "viewed"))
                page(module_path + step(n), 0, f"Session {m}.{n}", f"session-{n}",
                     f"{module_url}session-{n}/", types[LessonPage])  # fmt: skip
                lesson_rows.append((module_path + step(n), body, rule))
    copy_objects(Page, rows)
    catalogue.numchild = Page.objects.child_of(catalogue).count()
    catalogue.save(update_fields=["numchild"])
    paths = [path for path, *_ in course_rows]
    ids = dict(
        Page.objects.filter(path__startswith=catalogue.path, depth__gte=depth)
        .filter(Q(path__in=paths) | Q(depth__gt=depth))
        .values_list("path", "pk")
    )
    copy_objects(
        CoursePage,
        [
            CoursePage(
                page_ptr_id=ids[path],
                code=code,
                summary=f"Generated course {code} for benchmarks.",
                duration_hours=15,
                duration_days=2,
                issues_certificate=True,
            )
            for path, code, _title in course_rows
        ],
    )
    copy_objects(ModulePage, [ModulePage(page_ptr_id=ids[path]) for path in module_rows])
    copy_objects(
        LessonPage,
        [
            LessonPage(page_ptr_id=ids[path], body=json.dumps(body), completion_rule=rule)
            for path, body, rule in lesson_rows
        ],
    )
    course_ids = [ids[path] for path in paths]
    through = CoursePage.themes.through
    through.objects.bulk_create(
        [through(coursepage_id=pk, thematicarea_id=rng.choice(themes)) for pk in course_ids]
    )
    lessons_by_course = {pk: [] for pk in course_ids}
    course_by_path = {path: ids[path] for path in paths}
    for path, _body, _rule in lesson_rows:
        lessons_by_course[course_by_path[path[: depth * Page.steplen]]].append(ids[path])
    return course_ids, lessons_by_course
