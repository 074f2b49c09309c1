"""Word lists behind Latin → Cyrillic (see ``emis.names.transliteration``).

Only the Cyrillic is written here; the Latin spellings that lead to each
word are generated from it by the standards a passport may follow, so the
lists stay short and cannot disagree with the standards. The words are the
ones plain letter rules get wrong: a lost soft sign (Илья, Ольга,
Васильев), Й/И and Э/Е choices (Сергей, Эдуард), Я after a consonant
(Диана), and Ё (Пётр, Фёдор).
"""

MALE_GIVEN = """
Абрам Азат Айдар Александр Алексей Альберт Анатолий Андрей Антон Аркадий
Арсений Артём Артур Афанасий Богдан Борис Вадим Валентин Валерий Василий
Вениамин Виктор Виталий Владимир Владислав Всеволод Вячеслав Геннадий
Георгий Герман Глеб Григорий Давид Даниил Данила Денис Дмитрий Евгений
Егор Емельян Ефим Захар Иван Игнат Игорь Илларион Илья Иннокентий Иосиф
Кирилл Константин Кузьма Лев Леонид Лука Макар Максим Марат Марк Матвей
Михаил Моисей Никита Николай Олег Павел Пётр Платон Прохор Ренат Ринат
Родион Роман Ростислав Руслан Рустам Савва Савелий Святослав Семён Сергей
Станислав Степан Тимофей Тимур Тихон Фёдор Филипп Фома Эдуард Эльдар Эмиль
Эрик Юлиан Юрий Яков Ян Ярослав
"""

FEMALE_GIVEN = """
Агата Аида Александра Алёна Алина Алиса Алла Анастасия Ангелина Анжела
Анна Антонина Ариадна Арина Валентина Валерия Варвара Василиса Вера
Вероника Виктория Галина Дарья Диана Дина Ева Евгения Екатерина Елена
Елизавета Жанна Зинаида Злата Зоя Ида Инна Ирина Камила Карина Кира
Клавдия Кристина Ксения Лариса Лиана Лидия Лилия Любовь Людмила Луиза
Майя Маргарита Марина Мария Милана Надежда Наталия Наталья Нина Оксана
Олеся Ольга Полина Раиса Регина Римма Роза Светлана Снежана София Софья
Таисия Тамара Татьяна Ульяна Эвелина Элеонора Элина Эльвира Эльмира
Эмилия Юлия Яна Ярослава
"""

MALE_PATRONYMIC = """
Александрович Алексеевич Анатольевич Андреевич Антонович Аркадьевич
Арсеньевич Артёмович Артурович Афанасьевич Богданович Борисович Вадимович
Валентинович Валерьевич Васильевич Вениаминович Викторович Витальевич
Владимирович Владиславович Всеволодович Вячеславович Геннадьевич
Георгиевич Германович Глебович Григорьевич Давидович Данилович Денисович
Дмитриевич Евгеньевич Егорович Ефимович Захарович Иванович Игнатьевич
Игоревич Ильич Иосифович Кириллович Константинович Кузьмич Леонидович
Лукич Львович Макарович Максимович Маратович Маркович Матвеевич
Михайлович Никитич Николаевич Олегович Павлович Петрович Ренатович
Ринатович Романович Русланович Рустамович Саввич Семёнович Сергеевич
Станиславович Степанович Тимофеевич Тимурович Фёдорович Филиппович Фомич
Эдуардович Юрьевич Яковлевич Ярославович
"""

# Patronymics in -ич whose female form is not "-на" in place of "-ич".
FEMALE_PATRONYMIC_EXCEPTIONS = {
    "Ильич": "Ильинична",
    "Кузьмич": "Кузьминична",
    "Лукич": "Лукинична",
    "Никитич": "Никитична",
    "Саввич": "Саввична",
    "Фомич": "Фоминична",
}

# Frequent surnames whose soft sign (or Ё) no letter rule can restore;
# female forms in -а are added for those ending in -ов/-ев/-ёв/-ин.
SURNAMES = """
Афанасьев Бельский Васильев Воробьёв Григорьев Гурьев Дьяков Дьяченко
Емельянов Ильин Касьянов Ковалёв Ковальчук Кузьмин Лукьянов Мальцев
Мельников Муравьёв Прокофьев Соловьёв Ульянов Юрьев Зверев Королёв Пугачёв
Горбачёв Хрущёв Лебедев Медведев Толстой Шевчук Щукин Крупкин Репин
"""

# Foreign names where plain letter rules fail (J, TH, W, silent letters).
# The key is the passport spelling.
FOREIGN = {
    "CHARLES": "Чарльз",
    "ELIZABETH": "Элизабет",
    "GEORGE": "Джордж",
    "JAMES": "Джеймс",
    "JENNIFER": "Дженнифер",
    "JOHN": "Джон",
    "JOSEPH": "Джозеф",
    "MARIA": "Мария",
    "MICHAEL": "Майкл",
    "SARAH": "Сара",
    "WILLIAM": "Уильям",
}

# Popular spellings that no standard produces (X for КС, Y for Ы/Й in
# non-standard places), seen in older passports and visas.
EXTRA_SPELLINGS = {
    "ALEXANDER": "Александр",
    "ALEXANDR": "Александр",
    "ALEXANDRA": "Александра",
    "ALEXEY": "Алексей",
    "ALEXEI": "Алексей",
    "ANATOLY": "Анатолий",
    "DMITRY": "Дмитрий",
    "EVGENY": "Евгений",
    "GENNADY": "Геннадий",
    "GRIGORY": "Григорий",
    "MAXIM": "Максим",
    "VALERY": "Валерий",
    "VASILY": "Василий",
    "VITALY": "Виталий",
    "YEKATERINA": "Екатерина",
    "YELENA": "Елена",
    "YEVGENY": "Евгений",
    "YEVGENIY": "Евгений",
    "YULIA": "Юлия",
    "YURI": "Юрий",
    "YURY": "Юрий",
}


def words(text: str) -> list[str]:
    return text.split()


def female_patronymic(male: str) -> str:
    return FEMALE_PATRONYMIC_EXCEPTIONS.get(male) or male[:-2] + "на"


def female_surname(male: str) -> str | None:
    if male.endswith(("ов", "ев", "ёв", "ин")):
        return male + "а"
    return None


def all_words() -> list[str]:
    """Every Cyrillic word of the lists, in priority order."""
    male_patronymics = words(MALE_PATRONYMIC)
    surnames = words(SURNAMES)
    return [
        *words(MALE_GIVEN),
        *words(FEMALE_GIVEN),
        *male_patronymics,
        *(female_patronymic(p) for p in male_patronymics),
        *surnames,
        *(f for f in map(female_surname, surnames) if f),
    ]
