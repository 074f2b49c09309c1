"""Russian words for the operator's pages of messages the JSON side keeps in English.

The real EMIS Service is Russian-language, so everything an operator reads on
the upload page is Russian. ``persons.py`` and ``webhooks.py`` phrase their
messages in English because the control API returns them as they are (and
tests and tooling match on them); the page translates them here instead of
changing those answers.
"""

from __future__ import annotations

import re

# persons.normalize_person's messages, word for word.
FIELD_ERRORS = {
    "is required": "обязательное поле",
    "must be a string or null": "должно быть строкой",
    "must be a date YYYY-MM-DD": "нужна дата в формате ГГГГ-ММ-ДД",
    "must be a 3-letter code such as RUS": (
        "нужен трёхбуквенный код страны, например RUS"
    ),
    "must be an object": "должно быть объектом",
    "must be a list": "должно быть списком",
    "needs a Cyrillic or a Latin value": "нужно значение кириллицей или латиницей",
    "person must be an object": "персона должна быть объектом",
    "must be a string of digits": "должно состоять из цифр",
    'must be "M" or "F"': "выберите М или Ж",
}
LONGER_THAN = re.compile(r"^is longer than (\d+) characters$")
ONE_OF = "must be one of "

# webhooks._short_error's lines (the control API's delivery ``error``).
WEBHOOK_ERRORS = {
    "timed out": "истекло время ожидания",
    "connection failed (PMS not reachable)": (
        "не удалось подключиться (PMS недоступна)"
    ),
}


def field_error(message: str) -> str:
    """A validation message of ``persons.py`` in Russian. An unknown one is
    shown as it is: an English line beats hiding why a save was refused."""
    if message in FIELD_ERRORS:
        return FIELD_ERRORS[message]
    longer = LONGER_THAN.match(message)
    if longer:
        return f"длиннее {longer.group(1)} символов"
    if message.startswith(ONE_OF):
        return "допустимые значения: " + message[len(ONE_OF) :]
    return message


def webhook_error(error: str) -> str:
    """Why a webhook attempt failed, in Russian (an exception's class name,
    the last resort of ``webhooks._short_error``, stays as it is)."""
    return WEBHOOK_ERRORS.get(error, error)
