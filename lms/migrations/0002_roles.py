"""Create the five role groups with their permissions (see lms/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from lms.roles import role_permissions_sync


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate finishes; create them now so that the
    # roles get theirs from this migration on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    role_permissions_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def remove_roles(apps, schema_editor):
    from lms.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=[r.value for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
