"""CSV import of trainer lists: UTF-8 names in any script, errors by line and column,
nothing half-imported; the service, the command and the page."""

from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from lms.exceptions import ServiceError, TooLarge
from tests.factories import OrganisationFactory
from tests.trainers.factories import registry_trainer, tot_cohort
from trainers.models import Certification, Trainer
from trainers.services.registry_import import trainers_import

pytestmark = pytest.mark.django_db

GOOD = (
    "full_name,full_name_native,email,organisation,country,gender,languages,specialisations,"
    "cohort,certified_on\n"
    "Naveed Akhtar,نوید اختر,naveed@example.org,FIA AHTC,PK,m,ur; pa,"
    "smuggling-of-migrants;trafficking-in-human-beings,Lahore ToT,2025-10-17\n"
    "Zainab Hussein Al-Jubouri,زينب حسين الجبوري,,MoMD Iraq,Iraq,female,Arabic;en,"
    "return-and-reintegration,,\n"
    "Farida Sultani,فریده سلطانی,,,AF,f,fa;ps,,,\n"
)


@pytest.fixture
def world(db):
    OrganisationFactory(short_name="FIA AHTC", name="FIA Anti-Human Trafficking Wing")
    OrganisationFactory(short_name="MoMD Iraq", name="Ministry of Migration and Displacement")
    return tot_cohort(name="Lahore ToT")


def test_a_utf8_file_with_bom_is_imported_with_names_in_every_script(world):
    result = trainers_import(data=("\ufeff" + GOOD).encode("utf-8"))

    assert len(result.created) == 3 and result.certified == 1
    naveed = Trainer.objects.get(full_name="Naveed Akhtar")
    assert naveed.full_name_native == "نوید اختر"
    assert naveed.organisation.short_name == "FIA AHTC"
    assert naveed.gender == "male"
    assert sorted(naveed.languages.values_list("language", flat=True)) == ["pa", "ur"]
    assert Certification.objects.get(trainer=naveed, cohort=world).issued_on == date(2025, 10, 17)
    zainab = Trainer.objects.get(full_name="Zainab Hussein Al-Jubouri")
    assert zainab.full_name_native == "زينب حسين الجبوري"
    assert zainab.country.code == "IQ"
    assert sorted(zainab.languages.values_list("language", flat=True)) == ["ar", "en"]
    assert Trainer.objects.get(full_name="Farida Sultani").full_name_native == "فریده سلطانی"


def test_semicolon_separated_files_work_too(world):
    data = b"full_name;country;languages\nAmina Baloch;PK;ur, bal\n"

    result = trainers_import(data=data)

    trainer = result.created[0]
    assert sorted(trainer.languages.values_list("language", flat=True)) == ["bal", "ur"]


def test_importing_again_updates_the_same_trainers(world):
    trainers_import(data=GOOD.encode())

    result = trainers_import(data=GOOD.encode())

    assert (len(result.created), len(result.updated)) == (0, 3)
    assert Trainer.objects.count() == 3


def test_every_problem_is_reported_with_its_line_and_column_and_nothing_is_imported(world):
    registry_trainer(full_name="Already There")
    data = (
        b"full_name,country,email,gender,languages,specialisations,organisation,username,"
        b"cohort,certified_on\n"
        b"Good Trainer,PK,good@example.org,male,ur,smuggling-of-migrants,,,,\n"
        b",Narnia,not-an-email,x,ur;klingon,smuggling;document-fraud,Nobody,ghost,Atlantis,17/10\n"
        b"Another Good,PK,,,,,,,,2025-10-17\n"
    )

    with pytest.raises(ServiceError) as caught:
        trainers_import(data=data)

    found = {(item.line, item.field) for item in caught.value.errors}
    assert found == {
        (3, "full_name"),
        (3, "country"),
        (3, "email"),
        (3, "gender"),
        (3, "languages"),
        (3, "specialisations"),
        (3, "organisation"),
        (3, "username"),
        (3, "cohort"),
        (3, "certified_on"),
        (4, "certified_on"),
    }
    assert Trainer.objects.count() == 1  # only the one that was there


def test_a_line_with_too_many_cells_is_reported(world):
    with pytest.raises(ServiceError) as caught:
        trainers_import(data=b"full_name,country\nA,PK,extra\n")

    assert caught.value.errors[0].line == 2


def test_line_numbers_count_line_breaks_inside_quoted_cells(world):
    data = b'full_name,country\n"Two\nLines",PK\nBad,Narnia\n'

    with pytest.raises(ServiceError) as caught:
        trainers_import(data=data)

    assert [(e.line, e.field) for e in caught.value.errors] == [(4, "country")]


def test_missing_and_unknown_columns_are_named(world):
    with pytest.raises(ServiceError) as caught:
        trainers_import(data=b"name,nationality\nA,PK\n")

    assert {(e.line, e.field) for e in caught.value.errors} == {
        (1, "full_name"),
        (1, "country"),
        (1, "name"),
        (1, "nationality"),
    }


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(world):
    data = "full_name,country\nAhmed,IQ\nأحمد كاظم,IQ\n".encode("cp1256")

    with pytest.raises(ServiceError) as caught:
        trainers_import(data=data)

    assert "UTF-8" in caught.value.detail
    assert caught.value.errors[0].line == 3
    assert Trainer.objects.count() == 0


def test_a_file_over_the_size_cap_is_refused(world, settings):
    settings.TRAINER_IMPORT_MAX_BYTES = 100

    with pytest.raises(TooLarge):
        trainers_import(data=GOOD.encode())


def test_an_exported_file_can_be_imported_again(world, client, users):
    registry_trainer(full_name="Saima Parveen", full_name_native="صائمہ پروین", languages=["ur"])
    client.force_login(users["admin"])
    exported = client.get("/trainers/export.csv").content

    result = trainers_import(data=exported)

    assert [t.full_name for t in result.updated] == ["Saima Parveen"]


# --- The command -------------------------------------------------------------------------
def test_the_command_imports_a_file(world, tmp_path):
    path = tmp_path / "trainers.csv"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    out = StringIO()

    call_command("import_trainers", str(path), stdout=out)

    assert "3 trainers added, 0 updated, 1 certified" in out.getvalue()


def test_the_command_lists_the_problems(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"full_name,country\n,PK\n")

    with pytest.raises(CommandError) as caught:
        call_command("import_trainers", str(path))

    assert "line 2, full_name" in str(caught.value)


# --- The page ----------------------------------------------------------------------------
def _upload(client, data: bytes, name: str = "trainers.csv"):
    return client.post("/trainers/import/", {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_administrators_import_from_the_page(world, client, users):
    client.force_login(users["admin"])

    response = _upload(client, GOOD.encode("utf-8-sig"))

    assert response.status_code == 302
    assert Trainer.objects.count() == 3


def test_the_page_lists_each_problem_with_line_and_column(world, client, users):
    client.force_login(users["admin"])

    response = _upload(client, b"full_name,country\n,PK\nB,Narnia\n")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in content
    assert '<td class="num">2</td><td><code>full_name</code></td>' in content
    assert '<td class="num">3</td><td><code>country</code></td>' in content
    assert Trainer.objects.count() == 0


def test_the_page_says_when_a_file_is_not_utf8(world, client, users):
    client.force_login(users["admin"])

    response = _upload(client, "full_name,country\nGül,TR\n".encode("latin-1"))

    assert "not UTF-8" in response.content.decode()


def test_only_administrators_may_import(world, client, users):
    for who in ("partner", "trainer", "officer"):
        client.force_login(users[who])
        assert client.get("/trainers/import/").status_code == 403
        assert _upload(client, GOOD.encode()).status_code == 403
    assert Trainer.objects.count() == 0
