from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_site_structure(sender, **kwargs) -> None:
    from courses.services import site_structure_ensure

    site_structure_ensure()


def _connect_cache_invalidation() -> None:
    """Anything that changes what the published course tree shows bumps the content
    version of courses.cache, which retires every cached route, outline and page."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    from courses.cache import content_changed
    from courses.models import ThematicArea

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(content_changed, dispatch_uid=f"courses-cache-{id(signal)}")

    def page_deleted(sender, instance, **kwargs):
        if isinstance(instance, Page):
            content_changed()

    post_delete.connect(page_deleted, weak=False, dispatch_uid="courses-cache-page-deleted")
    for model in (ThematicArea, Site, PageViewRestriction):
        for signal in (post_save, post_delete):
            signal.connect(
                content_changed,
                sender=model,
                dispatch_uid=f"courses-cache-{model.__name__}-{id(signal)}",
            )


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After every migrate (and every flush in tests) the catalogue page, the authors'
        # page permissions and the review workflow exist. Connected to the last app's
        # signal, like lms's role sync, which was connected first and so runs first.
        from django.apps import apps

        from courses import admin_hooks  # noqa: F401 - registers its admin hooks
        from courses.scorm import checks  # noqa: F401 - registers its system checks

        _connect_cache_invalidation()

        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(
            _ensure_site_structure, sender=last, dispatch_uid="courses-site-structure"
        )
