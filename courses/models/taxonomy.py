from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class ThematicArea(index.Indexed, models.Model):
    """A theme of the curricula (trafficking, smuggling, document fraud…): a snippet."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_ur = models.CharField(_("name in Urdu"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the interface's language."""
        if get_language() == "ur" and self.name_ur:
            return self.name_ur
        return self.name
