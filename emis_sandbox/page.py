"""Server-rendered HTML of the upload page (no JavaScript, no external assets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from emis_sandbox.form import (
    DOC_FIELDS,
    MC_FIELDS,
    VISA_FIELDS,
    Values,
    row_count,
)
from emis_sandbox.persons import DOCUMENT_KINDS, ENTRIES, SOURCES

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}
.banner{background:#b00020;color:#fff;padding:8px 16px;font-weight:700;
 letter-spacing:.05em}
main{padding:16px;max-width:1200px}
fieldset{background:#fff;border:1px solid #ccd;margin:0 0 12px;padding:8px 12px}
legend{font-weight:700}
label{display:inline-block;margin:2px 8px 6px 0;vertical-align:top}
label span{display:block;font-size:12px;color:#555}
input,select,textarea{font:inherit;padding:3px 4px;border:1px solid #99a}
textarea{font-family:monospace;width:100%;max-width:44em}
.invalid input,.invalid select{border:2px solid #b00020}
.meta span{margin-right:24px}
.notice{padding:8px 12px;margin:0 0 12px;border:1px solid}
.notice.ok{background:#e7f6ea;border-color:#2e7d32}
.notice.error{background:#fdecee;border-color:#b00020}
.notice.info{background:#eef3fb;border-color:#35c}
.notice small{display:block;color:#555}
button{font:inherit;padding:5px 14px;cursor:pointer}
button.primary{background:#2e7d32;color:#fff;border:0}
.row{border-top:1px dashed #ccd;padding-top:4px}
.row b{display:block;font-size:12px;color:#333}
"""

LABELS = {
    "surname_cyrillic": "Фамилия (кириллица)",
    "surname_latin": "Фамилия (латиница)",
    "given_names_cyrillic": "Имя (кириллица)",
    "given_names_latin": "Имя (латиница)",
    "patronymic_cyrillic": "Отчество (кириллица)",
    "patronymic_latin": "Отчество (латиница)",
    "sex": "Пол",
    "birth_date": "Дата рождения",
    "birth_place": "Место рождения",
    "citizenship": "Гражданство",
    "kind": "Вид документа",
    "series": "Серия",
    "number": "Номер",
    "issue_date": "Дата выдачи",
    "expiry_date": "Действителен до",
    "issuer": "Кем выдан",
    "issuer_code": "Код подразделения",
    "issuing_country": "Страна выдачи",
    "source": "Источник",
    "category": "Категория",
    "entries": "Кратность",
    "valid_from": "Действует с",
    "valid_to": "Действует до",
    "entry_date": "Дата въезда",
    "visit_purpose": "Цель визита",
}
DATE_FIELDS = {
    "birth_date",
    "issue_date",
    "expiry_date",
    "valid_from",
    "valid_to",
    "entry_date",
}
KIND_LABELS = {
    "passport_rf": "Паспорт РФ",
    "foreign_passport_rf": "Заграничный паспорт РФ",
    "national_passport": "Национальный паспорт",
    "residence_permit": "Вид на жительство",
    "temporary_residence_permit": "Разрешение на временное проживание",
    "birth_certificate": "Свидетельство о рождении",
    "id_card": "ID-карта",
    "other": "Другой",
}
SOURCE_LABELS = {
    "rfid": "RFID-чип",
    "mrz": "MRZ",
    "visual": "Визуально",
    "manual": "Вручную",
}
ENTRY_LABELS = {
    "single": "Однократная",
    "double": "Двукратная",
    "multiple": "Многократная",
}


def label_for(name: str) -> str:
    """Human label of a form field, with its row: "Документ 1: Номер"."""
    parts = name.split("-")
    key = parts[-1]
    if parts[0] == "doc" and len(parts) == 3:
        return f"Документ {int(parts[1]) + 1}: {LABELS.get(key, key)}"
    if parts[0] == "visa" and len(parts) == 3:
        return f"Виза {int(parts[1]) + 1}: {LABELS.get(key, key)}"
    if parts[0] == "mc":
        return f"Миграционная карта: {LABELS.get(key, key)}"
    return LABELS.get(name, name)


@dataclass
class PageState:
    token: str
    legal_entity_id: str
    person_id: str
    reservation_id: str | None
    values: Values
    stored_version: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # (kind, text, detail) with kind ok / error / info
    notices: list[tuple[str, str, str]] = field(default_factory=list)


def _attrs(name: str) -> str:
    return f'name="{escape(name)}" id="f-{escape(name)}"'


def _text(state: PageState, name: str, label: str, size: int = 16) -> str:
    value = escape(state.values.get(name, ""))
    key = name.split("-")[-1]
    hint = ' placeholder="ГГГГ-ММ-ДД"' if key in DATE_FIELDS else ""
    css = ' class="invalid"' if name in state.errors else ""
    return (
        f'<label for="f-{escape(name)}"{css}><span>{escape(label)}</span>'
        f'<input type="text" {_attrs(name)} value="{value}" size="{size}"'
        f' maxlength="400"{hint}></label>'
    )


def _select(
    state: PageState, name: str, label: str, options: list[tuple[str, str]]
) -> str:
    current = state.values.get(name, "")
    css = ' class="invalid"' if name in state.errors else ""
    opts = "".join(
        f'<option value="{escape(v)}"{" selected" if v == current else ""}>'
        f"{escape(text)}</option>"
        for v, text in options
    )
    return (
        f'<label for="f-{escape(name)}"{css}><span>{escape(label)}</span>'
        f"<select {_attrs(name)}>{opts}</select></label>"
    )


def _choices(values: tuple[str, ...], labels: dict[str, str] | None = None):
    return [("", "—")] + [(v, (labels or {}).get(v, v)) for v in values]


def _names(state: PageState) -> str:
    rows = [("surname", "Фамилия"), ("given_names", "Имя"), ("patronymic", "Отчество")]
    return "".join(
        "<div>"
        + _text(state, f"{part}_cyrillic", f"{title} (кириллица)", 28)
        + _text(state, f"{part}_latin", f"{title} (латиница)", 28)
        + "</div>"
        for part, title in rows
    )


def _person(state: PageState) -> str:
    sex = [("", "—"), ("M", "М (мужской)"), ("F", "Ж (женский)")]
    return (
        "<fieldset><legend>Персона</legend>"
        + _names(state)
        + _select(state, "sex", LABELS["sex"], sex)
        + _text(state, "birth_date", LABELS["birth_date"], 11)
        + _text(state, "birth_place", LABELS["birth_place"], 30)
        + _text(state, "citizenship", LABELS["citizenship"] + " (RUS)", 5)
        + "</fieldset>"
    )


def _row(
    state: PageState,
    prefix: str,
    fields: tuple[str, ...],
    selects: dict[str, list[tuple[str, str]]],
    sizes: dict[str, int],
    caption: str = "",
) -> str:
    parts = []
    for key in fields:
        name = f"{prefix}-{key}"
        if key in selects:
            parts.append(_select(state, name, LABELS[key], selects[key]))
        else:
            parts.append(_text(state, name, LABELS[key], sizes.get(key, 12)))
    return f'<div class="row"><b>{escape(caption)}</b>' + "".join(parts) + "</div>"


def _documents(state: PageState) -> str:
    selects = {
        "kind": _choices(DOCUMENT_KINDS, KIND_LABELS),
        "source": _choices(SOURCES, SOURCE_LABELS),
    }
    sizes = {
        "issuer": 30,
        "issuing_country": 5,
        "series": 6,
        "issuer_code": 8,
        "issue_date": 11,
        "expiry_date": 11,
    }
    rows = row_count(state.values, "doc", DOC_FIELDS)
    return (
        "<fieldset><legend>Документы</legend>"
        + "".join(
            _row(state, f"doc-{i}", DOC_FIELDS, selects, sizes, f"Документ {i + 1}")
            for i in range(rows)
        )
        + "</fieldset>"
    )


def _visas(state: PageState) -> str:
    selects = {"entries": _choices(ENTRIES, ENTRY_LABELS)}
    sizes = {"series": 6, "issuing_country": 5, "valid_from": 11, "valid_to": 11}
    rows = row_count(state.values, "visa", VISA_FIELDS)
    return (
        "<fieldset><legend>Визы</legend>"
        + "".join(
            _row(state, f"visa-{i}", VISA_FIELDS, selects, sizes, f"Виза {i + 1}")
            for i in range(rows)
        )
        + "</fieldset>"
    )


def _migration_card(state: PageState) -> str:
    sizes = {"series": 6, "entry_date": 11, "valid_to": 11, "visit_purpose": 20}
    return (
        "<fieldset><legend>Миграционная карта</legend>"
        + _row(state, "mc", MC_FIELDS, {}, sizes)
        + "</fieldset>"
    )


def _scan(state: PageState) -> str:
    mrz = escape(state.values.get("mrz", ""))
    return (
        "<fieldset><legend>Сканирование</legend>"
        '<label for="f-mrz"><span>MRZ (TD3 2×44 или TD1 3×30)</span></label>'
        f'<textarea {_attrs("mrz")} rows="3" cols="46" spellcheck="false">'
        f"{mrz}</textarea><br>"
        '<button type="submit" name="action" value="scan">Сканировать (MRZ)</button>'
        "</fieldset>"
    )


def _notices(state: PageState) -> str:
    out = []
    for kind, text, detail in state.notices:
        small = f"<small>{escape(detail)}</small>" if detail else ""
        out.append(
            f'<div class="notice {kind}" role="status">{escape(text)}{small}</div>'
        )
    if state.errors:
        items = "".join(
            f"<li>{escape(label_for(n))}: {escape(m)}</li>"
            for n, m in state.errors.items()
        )
        out.append(
            '<div class="notice error" role="alert">Исправьте ошибки:'
            f"<ul>{items}</ul></div>"
        )
    return "".join(out)


def _meta(state: PageState) -> str:
    version = (
        f"сохранённая версия {state.stored_version}"
        if state.stored_version
        else "данных ещё нет"
    )
    return (
        '<p class="meta">'
        f'<span>Системный ID персоны: <b id="person-id">{escape(state.person_id)}</b>'
        "</span>"
        f'<span>Юр. лицо: <b id="legal-entity-id">{escape(state.legal_entity_id)}'
        "</b></span>"
        f'<span>Заявка: <b id="reservation-id">{escape(state.reservation_id or "—")}'
        "</b></span>"
        f"<span>{escape(version)}</span></p>"
    )


def layout(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        f"<title>{escape(title)} — EMIS SANDBOX</title><style>{STYLE}</style>"
        '</head><body><div class="banner">EMIS SANDBOX — тестовый стенд, '
        "не настоящий EMIS Service</div>"
        f"<main>{body}</main></body></html>"
    )


def upload_page(state: PageState) -> str:
    body = (
        "<h1>Загрузка документов</h1>"
        + _meta(state)
        + _notices(state)
        + f'<form method="post" action="/s/{escape(state.token)}" '
        'accept-charset="utf-8">'
        + _scan(state)
        + _person(state)
        + _documents(state)
        + _visas(state)
        + _migration_card(state)
        + '<button type="submit" class="primary" name="action" value="save">'
        "Сохранить</button></form>"
    )
    return layout("Загрузка документов", body)


def message_page(title: str, text: str, link: tuple[str, str] | None = None) -> str:
    """A short page; ``link`` (href, text) is the way on, so it is no dead end."""
    body = f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
    if link is not None:
        href, label = link
        body += f'<p><a id="back-to-pms" href="{escape(href)}">{escape(label)}</a></p>'
    return layout(title, body)
