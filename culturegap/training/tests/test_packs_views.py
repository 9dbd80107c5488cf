"""Tests of the content pack pages: upload, the starter pack button, download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from culturegap.language.models import Playbook
from culturegap.training.models import ContentPack, Curriculum, Question
from culturegap.training.packs import STARTER_PACK, import_pack, read_pack
from culturegap.training.tests.pack_samples import as_json, as_yaml, small_pack

IMPORT_URL = reverse("training:pack_import")
EXPORT_URL = reverse("training:pack_export")


def upload(content: bytes, name: str = "pack.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff["admin"])
    return client


def test_admin_sees_the_upload_form(admin_client):
    response = admin_client.get(IMPORT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".yaml,.yml,.json"' in page
    assert "Load the starter pack" in page
    assert "culturegap-pack/1" in page


def test_a_good_pack_is_imported_and_redirects_with_a_message(admin_client, company, staff):
    response = admin_client.post(IMPORT_URL, {"file": upload(as_yaml(small_pack()))}, follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert "10 created" in response.content.decode()
    assert Question.objects.filter(company=company).count() == 4
    assert ContentPack.objects.get(company=company).imported_by == staff["admin"]
    assert Playbook.objects.get(company=company).published_by == staff["admin"]


def test_a_json_pack_is_imported(admin_client, company):
    response = admin_client.post(IMPORT_URL, {"file": upload(as_json(small_pack()), "p.json")})

    assert response.status_code == 302
    assert Curriculum.objects.filter(company=company, key="basics").exists()


def test_a_bad_pack_shows_every_error_with_its_path_and_writes_nothing(admin_client):
    pack = small_pack()
    question = pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]
    question["options"][0]["correct"] = True
    question["skill"] = "<script>haggle</script>"

    response = admin_client.post(IMPORT_URL, {"file": upload(as_yaml(pack))})

    assert response.status_code == 400
    page = response.content.decode().replace("<wbr>", "")  # where a long path may wrap
    assert "nothing was imported" in page
    assert "curricula[0].modules[0].lessons[0].questions[0].options" in page
    assert "curricula[0].modules[0].lessons[0].questions[0].skill" in page
    assert "<script>haggle" not in page
    assert not Curriculum.objects.exists() and not Playbook.objects.exists()


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"format: culturegap-pack/1\ntitle: [\n", "pack.yaml", "line 3"),
        (b"\xff\xfe\x00", "pack.yaml", "not UTF-8"),
        (b"email,name\n", "people.csv", "is not a content pack"),
    ],
)
def test_unreadable_files_are_a_400(admin_client, content, name, message):
    response = admin_client.post(IMPORT_URL, {"file": upload(content, name)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Curriculum.objects.exists()


def test_no_file_is_a_400(admin_client):
    response = admin_client.post(IMPORT_URL, {})

    assert response.status_code == 400
    assert "Choose a pack file" in response.content.decode()


def test_a_file_over_the_limit_is_refused(admin_client, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = admin_client.post(IMPORT_URL, {"file": upload(as_yaml(small_pack()))})

    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not Curriculum.objects.exists()


def test_the_starter_button_loads_the_starter_pack(admin_client, company):
    response = admin_client.post(IMPORT_URL, {"starter": "1"})

    assert response.status_code == 302
    starter, _ = read_pack(STARTER_PACK.read_bytes())
    assert Curriculum.objects.get(company=company).key == starter["curricula"][0]["key"]
    page = admin_client.get(IMPORT_URL).content.decode()
    assert starter["title"] in page  # listed among the packs loaded


def test_the_download_is_the_company_pack_as_yaml(admin_client, company):
    admin_client.post(IMPORT_URL, {"file": upload(as_yaml(small_pack()))})

    response = admin_client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="small.yaml"'
    pack, errors = read_pack(response.content)
    assert errors == [] and pack == small_pack()


def test_the_download_as_json_and_of_one_curriculum(admin_client, company):
    admin_client.post(IMPORT_URL, {"file": upload(as_yaml(small_pack()))})

    response = admin_client.get(EXPORT_URL, {"format": "json", "curriculum": "basics"})

    assert response["Content-Disposition"] == 'attachment; filename="small.json"'
    pack, errors = read_pack(response.content, filename="small.json")
    assert errors == [] and pack == small_pack()
    assert admin_client.get(EXPORT_URL, {"curriculum": "nope"}).status_code == 404


def test_the_download_shows_only_the_own_company(admin_client, other_company):
    import_pack(company=other_company, data=as_yaml(small_pack()), filename="p.yaml")

    response = admin_client.get(EXPORT_URL)

    pack, _ = read_pack(response.content, fallback_skills=set())
    assert pack["curricula"] == [] and "playbook" not in pack


@pytest.mark.parametrize("role", ["crp", "manager", "sales", "executive"])
def test_only_program_admins_may_use_the_pages(client, staff, role):
    client.force_login(staff[role])

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"starter": "1"}).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403
    assert not Curriculum.objects.exists()
