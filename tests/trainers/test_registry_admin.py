"""The registry in the Wagtail admin: trainers (with languages), cohorts, certifications."""

import pytest

from tests.trainers.factories import registry_trainer, tot_cohort
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/cms/snippets/trainers/trainer/",
        "/cms/snippets/trainers/cohort/",
        "/cms/snippets/trainers/certification/",
        "/cms/snippets/trainers/delivery/",
        "/cms/snippets/trainers/trainer/add/",
        "/cms/snippets/trainers/cohort/add/",
        "/cms/snippets/trainers/certification/add/",
        "/cms/snippets/trainers/delivery/add/",
    ],
)
def test_administrators_manage_the_registry_in_the_admin(client, users, url):
    registry_trainer(full_name="Naveed Akhtar")
    tot_cohort()
    client.force_login(users["admin"])

    assert client.get(url).status_code == 200


def test_the_admin_menu_groups_the_registry_under_trainers(client, users):
    client.force_login(users["admin"])

    content = client.get("/cms/").content.decode()

    assert "ToT cohorts" in content and "Certifications" in content


def test_editing_a_trainer_in_the_admin_sets_their_languages(client, users):
    trainer = registry_trainer(full_name="Naveed Akhtar", languages=["ur"])
    client.force_login(users["admin"])

    response = client.post(
        f"/cms/snippets/trainers/trainer/edit/{trainer.pk}/",
        {
            "full_name": "Naveed Akhtar",
            "full_name_native": "نوید اختر",
            "country": "PK",
            "gender": "male",
            "languages": ["ur", "pa"],
            "email": "",
            "phone": "",
            "bio": "",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    trainer = Trainer.objects.get(pk=trainer.pk)
    assert trainer.full_name_native == "نوید اختر"
    assert sorted(trainer.languages.values_list("language", flat=True)) == ["pa", "ur"]


def test_partners_cannot_open_the_admin(client, users):
    client.force_login(users["partner"])

    assert client.get("/cms/snippets/trainers/trainer/").status_code in (302, 403)
