"""What the migrations put in the database, kept once per session before any test changes
it, so that a transactional test can start from exactly that (tests/lms/test_backup.py).

pytest-django runs the tests that roll back first, so the first of this folder's tests
sees the database as the migrations left it. Django's own ``serialized_rollback`` would
do this too, but it loads the data on top of whatever the previous transactional test's
flush re-created (post_migrate handlers add Wagtail's locale, the role groups), and fails.
"""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection


@pytest.fixture(scope="session", autouse=True)
def migrated_contents(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def as_migrated(transactional_db, migrated_contents) -> None:
    """An empty database, then what the migrations made (the page tree, thematic areas,
    certificate templates, the role groups), whatever earlier tests left."""
    call_command("flush", "--no-input", inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(migrated_contents)
    # The flush restarted every sequence and the rows came back with their own ids: move
    # the sequences past them (as loaddata does), or the next page would take id 1 again.
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
