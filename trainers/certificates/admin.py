"""Certificate templates in the Wagtail admin: administrators edit the HTML and CSS and see
a sample certificate made from them in the preview panel (as PDF, or as an image of the
first page). Registered by trainers/wagtail_hooks.py."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from trainers.certificates.render import TEMPLATE_VARIABLES
from trainers.models import CertificateTemplate

VARIABLES_HELP = format_lazy(
    "{} {}",
    _(
        "A Django template (trusted: only administrators edit it). Images may come from the "
        "platform's static and media files or data: URIs; nothing else is fetched. Variables:"
    ),
    "; ".join(f"{name} ({meaning})" for name, meaning in TEMPLATE_VARIABLES.items()),
)


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificate templates")
    menu_name = "certificate-templates"
    menu_order = 430
    add_to_admin_menu = True
    list_display = ["name", "kind", "language", "is_default", "updated_at"]
    list_filter = ["kind", "language", "is_default"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("language"), FieldPanel("is_default")]),
            FieldPanel("html", help_text=VARIABLES_HELP),
            FieldPanel("css"),
            FieldPanel("partner_logo"),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [FieldPanel("signatory_1_name"), FieldPanel("signatory_1_title")]
                    ),
                    FieldPanel("signatory_1_signature"),
                    FieldRowPanel(
                        [FieldPanel("signatory_2_name"), FieldPanel("signatory_2_title")]
                    ),
                    FieldPanel("signatory_2_signature"),
                ],
                heading=_("Signatures"),
            ),
        ]
    )
