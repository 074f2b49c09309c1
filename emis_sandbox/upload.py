"""The one-time upload page an operator reaches from the PMS (``/s/<token>``)."""

from __future__ import annotations

from emis_sandbox import form, page, pms_link, store, texts_ru, webhooks
from emis_sandbox.context import Context
from emis_sandbox.httpkit import Request, Response, html_response, now, rfc3339
from emis_sandbox.mrz_scan import MrzError, read_mrz
from emis_sandbox.persons import PersonInvalid, normalize_person
from emis_sandbox.runtime import get_settings
from emis_sandbox.sessions import WebSession, consume, find, page_session

COOKIE = "emis_sandbox_page"
GONE_TEXT = "ссылка уже использована или устарела"
# What another browser, or a reload after the page's lifetime, meets: the way
# back to the PMS, not a dead end.
AGAIN_TEXT = (
    "; откройте EMIS заново из PMS: кнопка «Загрузить новые документы» "
    "в карточке гостя даёт новую ссылку."
)
BACK_TO_GUEST = "Вернуться в PMS: получить новую ссылку для этого гостя"
BACK_TO_PMS = "Вернуться в PMS"


def handle(ctx: Context, req: Request, token: str) -> Response:
    if req.method == "GET":
        return _open(ctx, req, token)
    if req.method == "POST":
        return _submit(ctx, req, token)
    return html_response(page.message_page("Метод не поддерживается", req.method), 405)


def _state(
    ctx: Context, token: str, session: WebSession, values: form.Values
) -> page.PageState:
    latest = store.latest_person(
        ctx.conn, legal_entity_id=session.legal_entity_id, person_id=session.person_id
    )
    return page.PageState(
        token=token,
        legal_entity_id=session.legal_entity_id,
        person_id=session.person_id,
        reservation_id=session.reservation_id,
        values=values,
        stored_version=latest["version"] if latest else None,
    )


def _open(ctx: Context, req: Request, token: str) -> Response:
    session = page_session(ctx.conn, token=token, sid=req.cookie(COOKIE), now=now())
    if session is not None:
        # A reload (F5) in the browser that opened the link: the page again,
        # as web apps do after a one-time login link. The cookie is this
        # browser's alone, so the link stays single-use for anyone else.
        return html_response(page.upload_page(_fresh_state(ctx, token, session)))
    status, session, sid = consume(ctx.conn, token=token, now=now())
    if status == "unknown":
        return _refusal(ctx, token, "Ссылка не найдена", GONE_TEXT, 404)
    if session is None:
        return _refusal(
            ctx, token, "Ссылка больше не действует", GONE_TEXT + AGAIN_TEXT, 410
        )
    resp = html_response(page.upload_page(_fresh_state(ctx, token, session)))
    resp.headers.append(
        (
            "Set-Cookie",
            f"{COOKIE}={sid}; Path=/s/{token}; HttpOnly; SameSite=Lax",
        )
    )
    return resp


def _fresh_state(ctx: Context, token: str, session: WebSession) -> page.PageState:
    """The page as opened: the stored latest version, else the PMS's hint."""
    latest = store.latest_person(
        ctx.conn, legal_entity_id=session.legal_entity_id, person_id=session.person_id
    )
    values = (
        form.person_to_values(latest) if latest else form.hint_to_values(session.hint)
    )
    return _state(ctx, token, session, values)


def _refusal(ctx: Context, token: str, title: str, text: str, status: int) -> Response:
    """A refused link or page, with a link to the PMS page that asks EMIS for
    a fresh one (the PMS root when the token is unknown)."""
    session = find(ctx.conn, token=token)
    href = pms_link.way_back(get_settings(ctx.conn).webhook_url, session)
    label = BACK_TO_GUEST if session is not None else BACK_TO_PMS
    link = (href, label) if href else None
    return html_response(page.message_page(title, text, link), status)


def _submit(ctx: Context, req: Request, token: str) -> Response:
    session = page_session(ctx.conn, token=token, sid=req.cookie(COOKIE), now=now())
    if session is None:
        text = (
            "Эта страница загрузки не открыта в этом браузере или устарела; "
            "откройте EMIS заново из PMS."
        )
        return _refusal(ctx, token, "Сеанс страницы не найден", text, 403)
    posted = req.form()
    action = posted.pop("action", "")
    if action == "scan":
        return _scan(ctx, token, session, posted)
    if action == "save":
        return _save(ctx, token, session, posted)
    return html_response(page.message_page("Неизвестное действие", action), 400)


def _scan(
    ctx: Context, token: str, session: WebSession, values: form.Values
) -> Response:
    try:
        data = read_mrz(values.get("mrz", ""))
    except MrzError as exc:
        state = _state(ctx, token, session, values)
        state.notices.append(("error", str(exc), "Форма не изменена."))
        return html_response(page.upload_page(state), 400)
    state = _state(ctx, token, session, form.apply_mrz(values, data))
    state.notices.append(
        (
            "ok",
            f"MRZ прочитана ({data.format}): все контрольные цифры верны.",
            "Проверьте заполненные поля и нажмите «Сохранить».",
        )
    )
    return html_response(page.upload_page(state))


def _validate(values: form.Values, person_id: str):
    raw, doc_rows, visa_rows, form_errors = form.values_to_person(values, person_id)
    errors = dict(form_errors)
    try:
        person = normalize_person(raw)
    except PersonInvalid as exc:
        for path, message in exc.errors:
            errors.setdefault(
                form.field_for(path, doc_rows, visa_rows),
                texts_ru.field_error(message),
            )
        return None, errors
    return (None, errors) if errors else (person, {})


def _save(
    ctx: Context, token: str, session: WebSession, values: form.Values
) -> Response:
    person, errors = _validate(values, session.person_id)
    if person is None:
        state = _state(ctx, token, session, values)
        state.errors = errors
        return html_response(page.upload_page(state), 400)
    stored = store.save_person(
        ctx.conn,
        legal_entity_id=session.legal_entity_id,
        person=person,
        updated_at=_timestamp(),
    )
    outcome = webhooks.deliver(
        ctx.config, legal_entity_id=session.legal_entity_id, person=stored
    )
    state = _state(ctx, token, session, form.person_to_values(stored))
    state.notices.append(("ok", f"Сохранена версия {stored['version']}.", ""))
    state.notices.append(webhook_notice(outcome, ctx.config.webhook_attempts))
    return html_response(page.upload_page(state))


def _timestamp() -> str:
    return rfc3339(now())


# What the PMS's 200 answer means for the operator: "stale" and "unchanged"
# took nothing (the contract's table), which "приняла данные" would hide.
_PMS_ANSWERS = {
    "applied": "PMS приняла данные",
    "unchanged": "PMS уже хранит эти данные",
    "duplicate": "PMS уже получила эту доставку",
    "stale": "PMS не взяла данные: у неё версия новее",
}


def webhook_notice(
    outcome: tuple[webhooks.Attempt, bool] | None, attempts: int
) -> tuple[str, str, str]:
    if outcome is None:
        return (
            "info",
            "Отправка вебхуков в этой песочнице выключена; PMS не уведомлена.",
            "",
        )
    first, retrying = outcome
    detail = f"доставка {first.delivery_id}"
    if first.status_code is not None:
        detail = f"HTTP {first.status_code} · {detail}"
    if first.status_code is not None and 200 <= first.status_code < 300:
        # The PMS's own status word stays as it is, in parentheses: it is
        # the contract's value (applied, duplicate, ...), not a sentence.
        status = first.pms_status or "ok"
        return ("ok", _PMS_ANSWERS.get(status, "PMS приняла данные") + f" ({status})", detail)
    if first.status_code is not None and first.status_code < 500:
        return (
            "error",
            f"PMS отклонила вебхук: HTTP {first.status_code} "
            f"{(first.body or '')[:300]}",
            detail,
        )
    reason = texts_ru.webhook_error(first.error or f"HTTP {first.status_code}")
    tail = (
        (
            " Повторные попытки продолжаются в фоне с тем же ID доставки "
            f"(всего попыток: до {attempts})."
        )
        if retrying
        else ""
    )
    return ("error", f"PMS не приняла вебхук: {reason}.{tail}", detail)
