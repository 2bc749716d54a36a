"""Course trees for tests: a published course with modules and lessons."""

from itertools import count

from courses.models import CatalogueIndexPage, CoursePage, LessonPage, ModulePage, ThematicArea

_codes = count(100)


def course_create(
    *,
    modules: int = 2,
    lessons: int = 3,
    title: str = "Identifying victims of trafficking",
    code: str | None = None,
    publish: bool = True,
    themes: list[str] = (),
    **fields,
) -> CoursePage:
    """A course with `modules` modules of `lessons` lessons each, all published (or not)."""
    catalogue = CatalogueIndexPage.objects.get()
    code = code or f"TST-C-{next(_codes)}"
    course = CoursePage(
        title=title,
        slug=code.lower(),
        code=code,
        summary=fields.pop("summary", f"Summary of {title}."),
        live=publish,
        **fields,
    )
    catalogue.add_child(instance=course)
    if themes:
        course.themes = list(ThematicArea.objects.filter(slug__in=themes))
        course.save()
    for m in range(1, modules + 1):
        module = course.add_child(
            instance=ModulePage(title=f"Day {m}", slug=f"day-{m}", live=publish)
        )
        for n in range(1, lessons + 1):
            module.add_child(
                instance=LessonPage(
                    title=f"Session {m}.{n}",
                    slug=f"session-{m}-{n}",
                    live=publish,
                    duration_minutes=45,
                    body=[("paragraph", f"<p>Text of session {m}.{n} on indicators.</p>")],
                )
            )
    return course


def lessons_of(course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(course).order_by("path"))
