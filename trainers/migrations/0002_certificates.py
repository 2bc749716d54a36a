# Certificates: who revoked a certificate, and the default templates (English and Urdu, for
# course completion and ToT certification) so that administrators find them in the admin.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULT_TEMPLATES = [
    ("Course completion (English)", "course", "en"),
    ("Course completion (Urdu)", "course", "ur"),
    ("ToT certification (English)", "tot", "en"),
    ("ToT certification (Urdu)", "tot", "ur"),
]


def default_templates_create(apps, schema_editor):
    from trainers.certificates.render import default_template_files

    CertificateTemplate = apps.get_model("trainers", "CertificateTemplate")
    for name, kind, language in DEFAULT_TEMPLATES:
        if CertificateTemplate.objects.filter(kind=kind, language=language, is_default=True).exists():
            continue
        if CertificateTemplate.objects.filter(name=name).exists():
            continue
        html, css = default_template_files(language)
        CertificateTemplate.objects.create(
            name=name, kind=kind, language=language, html=html, css=css, is_default=True
        )


class Migration(migrations.Migration):

    dependencies = [
        ('trainers', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='certificate',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(default_templates_create, migrations.RunPython.noop),
    ]
