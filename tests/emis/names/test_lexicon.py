"""The name lexicon chooser (emis/names/lexicon.py) and the role it is given
by the name policy, the preview API and the apply service."""

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from emis.apply import person_apply_documents
from emis.names import lexicon as lexicon_module
from emis.names.lexicon import lexicon
from emis.names.policy import PolicyFields, apply_policy
from emis.names.transliteration import cyrillic_reading, to_cyrillic
from emis.payload import parse_person
from tests.emis.conftest import russian
from tests.factories import make_legal_entity, make_person

CYRILLIC_POLICY = PolicyFields("cyrillic", "title", "icao_doc_9303")


# --- Loading ------------------------------------------------------------------


def test_the_lexicon_is_loaded_lazily_once_per_process():
    code = (
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'pms.settings')\n"
        "django.setup()\n"
        "import emis.names.policy, emis.names.api, emis.apply\n"
        "from emis.names import lexicon as lx\n"
        "assert lx._lexicon is None, 'loaded at import'\n"
        "from emis.names.transliteration import to_cyrillic\n"
        "to_cyrillic('GOGOL', 'surname')\n"
        "first = lx._lexicon\n"
        "to_cyrillic('KOLTSOV', 'surname')\n"
        "assert first is not None and lx._lexicon is first is lx.lexicon()\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip().endswith("ok"), done.stderr


def test_threads_asking_first_share_one_lexicon(monkeypatch):
    loaded = lexicon()
    monkeypatch.setattr(lexicon_module, "_lexicon", None)
    start = threading.Barrier(4)

    def ask(_i):
        start.wait()
        return lexicon_module.lexicon()

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(ask, range(4)))
    assert all(item is got[0] for item in got)
    assert got[0] is not loaded  # a fresh load, shared by all four


# --- Candidates and tiers -------------------------------------------------------


def test_candidates_are_the_words_the_standards_could_spell_so():
    assert "подъячев" in lexicon().candidates("PODIEIACHEV")  # ICAO Ъ
    assert "подъячев" in lexicon().candidates("PODIACHEV")  # GOST drops it
    assert "зиновьев" in lexicon().candidates("ZINOVIEV")  # informal Ь
    assert "ильин" in lexicon().candidates("ILYIN")
    # No spelling writes ЬЯ as IIA: Феодосия stays, Феодосья is not offered.
    assert "феодосья" not in lexicon().candidates("FEODOSIIA")
    assert lexicon().candidates("ERIKSSON") == []


def test_tier_counts_the_nominative_singular_in_the_role():
    assert lexicon().tier("гоголь", "surname")[0] == 1
    assert lexicon().tier("прасковья", "given_names")[0] == 1
    assert lexicon().tier("прасковья", "surname")[0] == 2  # a word, no surname
    assert lexicon().tier("захарьевич", "surname")[0] == 3  # a patronymic
    assert lexicon().tier("прасковьи", "given_names")[0] == 3  # genitive
    assert lexicon().tier("игнаты", "given_names")[0] == 3  # plural
    assert lexicon().tier("соболь", "surname")[0] in (1, 2)  # a noun at least
    # A variant form is marked as such (V-ie).
    assert lexicon().tier("зиновиевич", "patronymic") == (1, True)


# --- Choice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "role", "cyrillic"),
    [
        ("IGNATY", "given_names", "Игнатий"),  # not the plural Игнаты
        ("ILYINSKY", "surname", "Ильинский"),
        ("PODIEIAPOLSKII", "surname", "Подъяпольский"),  # rules: Ъ, -льский
        ("SAFIULLIN", "surname", "Сафиуллин"),  # rules: -иуллин
        ("PALCHIKOV", "surname", "Пальчиков"),  # on пальчик
        ("TALKOV", "surname", "Тальков"),  # on тальк
        ("ERIKSSON", "surname", "Эрикссон"),
        ("SMITH", "surname", "Смит"),  # unknown: the rules as before
        ("JOHN", "given_names", "Джон"),  # today's dictionary
    ],
)
def test_choice(latin, role, cyrillic):
    assert to_cyrillic(latin, role) == cyrillic


def test_todays_dictionary_is_kept_and_the_other_spellings_offered():
    reading = cyrillic_reading("NATALIA", "given_names")
    assert reading.text == "Наталья"
    assert "Наталия" in reading.alternatives
    assert cyrillic_reading("ANNA MARIA", "given_names").text == "Анна Мария"
    assert "Анна Марья" in cyrillic_reading("ANNA MARIA", "given_names").alternatives


def test_a_sign_latin_dropped_is_restored_only_between_twins_of_one_gender():
    reading = cyrillic_reading("PRASKOVIA", "given_names")
    assert (reading.text, "Прасковя" in reading.alternatives) == ("Прасковья", True)
    # Мартинь is a woman's name, not another spelling of Мартин.
    reading = cyrillic_reading("MARTIN", "given_names")
    assert (reading.text, reading.alternatives) == ("Мартин", ("Мартинь",))


def test_the_reading_a_passport_standard_gives_wins_among_known_words():
    # ICAO writes both Онуфриевич and Онуфрьевич so; -иевич after two
    # consonants is the Russian form (Дмитриевич).
    reading = cyrillic_reading("ONUFRIEVICH", "patronymic")
    assert (reading.text, "Онуфрьевич" in reading.alternatives) == ("Онуфриевич", True)
    assert to_cyrillic("ZINOVEVICH", "patronymic") == "Зиновьевич"


def test_informal_ievich_after_one_consonant_is_ievich_with_a_soft_sign():
    # Outside review: ICAO's Зиновиевич is a variant the lexicon lists, but
    # the -IEVICH of visas stands for -ьевич but after a consonant and Р.
    reading = cyrillic_reading("ZINOVIEVICH", "patronymic")
    assert (reading.text, "Зиновиевич" in reading.alternatives) == ("Зиновьевич", True)
    assert to_cyrillic("YURIEVNA", "patronymic") == "Юрьевна"
    assert to_cyrillic("LAVRENTIEVICH", "patronymic") == "Лаврентьевич"


def test_indeclinable_forms_and_ia_for_iia_give_way_to_the_usual_name():
    # The lexicon lists Викториа, Валериа (Fixd) and Анастасья beside the
    # usual Виктория, Валерия, Анастасия (today's dictionary).
    assert to_cyrillic("VIKTORIA VALERIA", "given_names") == "Виктория Валерия"
    reading = cyrillic_reading("ANASTASIA", "given_names")
    assert (reading.text, "Анастасья" in reading.alternatives) == ("Анастасия", True)
    assert to_cyrillic("JULIA", "given_names") == "Юлия"


def test_surnames_on_given_names_keep_the_sign_armenian_ian_takes_none():
    assert to_cyrillic("PAFNUTEV", "surname") == "Пафнутьев"
    assert to_cyrillic("KIRIANOV", "surname") == "Кирьянов"
    assert to_cyrillic("GRIGORIAN", "surname") == "Григорян"
    assert to_cyrillic("ARUTIUNIAN", "surname") == "Арутюнян"


def test_a_word_with_cyrillic_letters_is_left_to_the_rules():
    assert to_cyrillic("ГОГOL", "surname") == "Гогол"


# --- Role through the policy, the apply service -----------------------------------


def test_policy_reads_each_part_in_its_role_and_keeps_the_documents_cyrillic():
    resolved = apply_policy(
        CYRILLIC_POLICY,
        {
            "surname": "ZAKHAREVICH",
            "given_names": "NATALIA",
            "patronymic": "ZAKHAREVNA",
        },
        {"given_names": "Наталия"},
    )
    assert resolved.main == {
        "surname": "Захаревич",
        "given_names": "Наталия",  # the document's, never regenerated
        "patronymic": "Захарьевна",
    }
    assert resolved.transliterated == ["surname", "patronymic"]
    assert "given_names" not in resolved.alternatives


@pytest.mark.django_db
def test_apply_service_reads_latin_only_names_in_their_roles():
    person = make_person("Прежняя")
    data = russian(person.pk)
    data["surname"] = {"cyrillic": None, "latin": "GURIANOVA"}
    data["given_names"] = {"cyrillic": None, "latin": "PRASKOVIA"}
    data["patronymic"] = {"cyrillic": None, "latin": "ZINOVEVNA"}
    data["sex"] = "F"
    person_apply_documents(
        person_id=person.pk,
        legal_entity_id=make_legal_entity().pk,
        data=parse_person(data),
        source="webhook",
        user=None,
    )
    person.refresh_from_db()
    assert (person.surname, person.given_names, person.patronymic) == (
        "Гурьянова",
        "Прасковья",
        "Зиновьевна",
    )
    assert person.transliterated_parts == ["surname", "given_names", "patronymic"]
    assert person.surname_cyrillic == ""  # the document gave none
