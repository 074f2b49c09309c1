import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from legal_entities.models import LegalEntity
from legal_entities.validators import inn_is_valid, ogrn_is_valid
from pms.roles import Role, has_role
from reservations.models import IdentityDocument, Person, Reservation, Stay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _counts():
    return [
        m.objects.count()
        for m in (LegalEntity, Reservation, Person, Stay, IdentityDocument)
    ]


def test_seed_demo_is_idempotent_and_makes_one_user_per_role(capsys, settings):
    settings.PMS_PUBLIC_URL = "https://pms.example.ru"
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo", password="another-pass-1")
    assert _counts() == first

    entity = LegalEntity.objects.get()
    assert inn_is_valid(entity.inn) and ogrn_is_valid(entity.ogrn)
    assert Reservation.objects.count() == 2
    assert Person.objects.filter(documents__kind="passport_rf").exists()
    foreigner = Person.objects.filter(citizenship="DEU").get()
    assert foreigner.visas.exists() and foreigner.migration_card
    assert Person.objects.filter(given_names="", birth_date=None).exists()

    for username, role in (
        ("frontdesk", Role.FRONT_DESK),
        ("admin", Role.ADMIN),
        ("support", Role.SUPPORT),
    ):
        user = authenticate(username=username, password="another-pass-1")
        assert user is not None and has_role(user, role)
        # The Django admin (name policy, delivery log) is for support and admins.
        assert user.is_staff == (role is not Role.FRONT_DESK)
        assert not user.is_superuser
    out = capsys.readouterr().out
    # The front desk lands on the board (issue 12).
    assert "frontdesk  front desk  https://pms.example.ru/board/" in out


@pytest.mark.parametrize("username", ["admin", "support"])
def test_the_demo_admin_and_support_open_the_delivery_log_in_the_django_admin(
    client, username
):
    call_command("seed_demo")
    client.login(username=username, password="demo12345")
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "/admin/emis/emisdelivery/" in index.content.decode()
    assert client.get("/admin/emis/emisdelivery/").status_code == 200
    assert client.get("/admin/emis/namepolicy/").status_code in (200, 302)


def test_the_demo_front_desk_stays_out_of_the_django_admin(client):
    call_command("seed_demo")
    client.login(username="frontdesk", password="demo12345")
    assert client.get("/admin/emis/emisdelivery/").status_code == 302  # to login


def test_the_demo_guest_wang_li_keeps_the_typed_spelling_through_a_policy_round_trip(
    django_capture_on_commit_callbacks,
):
    """Issue 12: EMIS gave only "WANG LI", staff typed "Ван Ли"; switching the
    policy to Latin and back must not turn it into "Ванг Ли"."""
    from emis.models import NamePolicy
    from emis.names import reapply
    from emis.tasks import reapply_name_policy

    call_command("seed_demo")
    wang = Person.objects.get(surname_latin="WANG")
    assert wang.name_sources["surname"] == wang.name_sources["given_names"] == "staff"
    for script in ("latin", "cyrillic"):
        policy = NamePolicy.load()
        policy.script = script
        policy.save()
        with django_capture_on_commit_callbacks(execute=True):
            job, _created = reapply.reapply_job_get_or_create()
            reapply_name_policy.delay_on_commit(job.pk)
        wang.refresh_from_db()
        assert (wang.surname, wang.given_names) == ("Ван", "Ли")


def test_seed_demo_runs_again_when_others_share_its_inn():
    """Issue 14 (m8): legal entities of the same INN made after the demo's
    did not stop the next run."""
    from reservations.management.commands.seed_demo import ENTITY

    call_command("seed_demo")
    LegalEntity.objects.create(**{**ENTITY, "name": "ООО «Нева», филиал"})
    LegalEntity.objects.create(**{**ENTITY, "name": "Проба"})
    call_command("seed_demo")
    assert LegalEntity.objects.filter(name=ENTITY["name"]).count() == 1
    assert Reservation.objects.count() == 2
