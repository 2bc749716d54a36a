"""The thematic areas the ToT curricula use (courses/CURRICULUM_FORMAT.md lists them)."""

from django.db import migrations

THEMES = (
    ("trafficking-in-human-beings", "Trafficking in human beings", "انسانوں کی تجارت"),
    ("smuggling-of-migrants", "Smuggling of migrants", "تارکینِ وطن کی اسمگلنگ"),
    ("irregular-migration", "Irregular migration", "بے قاعدہ ہجرت"),
    ("document-fraud", "Document fraud", "دستاویزی جعل سازی"),
    ("return-and-reintegration", "Return and reintegration", "واپسی اور دوبارہ انضمام"),
    ("data-collection", "Data collection", "ڈیٹا کی جمع آوری"),
    ("migrants-rights-and-protection", "Migrants' rights and protection",
     "تارکینِ وطن کے حقوق اور تحفظ"),
    ("labour-migration", "Labour migration", "روزگار کے لیے ہجرت"),
    ("border-management", "Border management", "سرحدی انتظام"),
    ("anti-money-laundering", "Anti-money laundering", "منی لانڈرنگ کی روک تھام"),
    ("cybercrime", "Cybercrime", "سائبر جرائم"),
    ("investigation-techniques", "Investigation techniques", "تفتیشی تکنیکیں"),
)  # fmt: skip


def create_themes(apps, schema_editor):
    ThematicArea = apps.get_model("courses", "ThematicArea")
    for slug, name, name_ur in THEMES:
        ThematicArea.objects.get_or_create(slug=slug, defaults={"name": name, "name_ur": name_ur})


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(create_themes, migrations.RunPython.noop)]
