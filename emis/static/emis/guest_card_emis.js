// The guest card's EMIS dialog (emis/_guest_card_emis_dialog.html, opened by
// the button of emis/_guest_card_emis.html). No dependencies. Every message
// shown comes from the dialog's data-msg-* attributes, so the server-side
// translations apply. "Загрузить новые документы" is the dialog's own POST
// form (target=_blank, CSRF token): this script only checks it before it goes.
(() => {
  "use strict";

  const POLL_MS = 700;
  const dialog = document.getElementById("emis-dialog");
  if (!dialog) return;

  const $ = (selector) => dialog.querySelector(selector);
  const openButton = document.querySelector('[data-emis-open="emis-dialog"]');
  const select = $("[data-emis-legal-entity]");
  const uploadForm = $("[data-emis-upload-form]");
  const uploadButton = $("[data-emis-upload]");
  const reservationInput = $("[data-emis-reservation]");
  const pullButton = $("[data-emis-pull]");
  const statusBox = $("[data-emis-status]");
  const statusText = $("[data-emis-status-text]");
  const spinner = $("[data-emis-spinner]");
  const retryButton = $("[data-emis-retry]");
  const reloadButton = $("[data-emis-reload]");
  const flash = document.querySelector("[data-emis-flash]");
  const msg = (name) => dialog.dataset["msg" + name] || "";
  const flashKey = "emis-flash:" + dialog.dataset.person;
  let knownVersion = dialog.dataset.emisVersion || "";
  let pulling = false;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function cleanUrl() {
    // Drop ?emis=1 so that a reload does not reopen the dialog.
    const url = new URL(window.location.href);
    url.searchParams.delete("emis");
    return url.toString();
  }

  function show(text, { busy = false, retry = false, reload = false, kind = "" } = {}) {
    statusBox.hidden = false;
    statusBox.dataset.kind = kind;
    statusText.textContent = text;
    spinner.hidden = !busy;
    retryButton.hidden = !retry;
    reloadButton.hidden = !reload;
  }

  function syncButtons() {
    const chosen = Boolean(select.value);
    if (reservationInput) {
      // The reservation goes with its own legal entity only: naming it under
      // another one is refused by the server.
      reservationInput.disabled = select.value !== reservationInput.dataset.legalEntity;
    }
    uploadButton.disabled = !chosen;
    pullButton.disabled = !chosen || pulling;
  }

  function openDialog() {
    if (!dialog.open) dialog.showModal();
    syncButtons();
    select.focus();
  }

  function onUploadSubmit(event) {
    // The form posts to the PMS in a new tab: the server asks EMIS for a
    // one-time session and redirects that tab, so no credential ever
    // reaches this page.
    syncButtons();
    if (!select.value) {
      event.preventDefault();
      return show(msg("Choose"), { kind: "error" });
    }
    show(msg("Uploaded"), { kind: "info" });
  }

  function errorText(error) {
    if (!error) return msg("Failed");
    if (typeof error === "string") return error;
    return error.message || msg("Failed");
  }

  function finish(job) {
    pulling = false;
    syncButtons();
    if (job.status === "failed") {
      return show(errorText(job.error), { retry: true, kind: "error" });
    }
    if (job.result === "applied") {
      const labels = job.changed_labels || job.changed_fields || [];
      const text = (msg("Applied") + " " + labels.join(", ")).trim();
      // Reload so the operator sees the new values; the message survives.
      sessionStorage.setItem(flashKey, text);
      show(text, { busy: true, kind: "ok" });
      window.location.replace(cleanUrl());
      return;
    }
    if (job.result === "not_found") return show(msg("NotFound"), { kind: "info" });
    show(msg("Unchanged"), { kind: "info" });
  }

  function progress(job) {
    let text = job.status === "running" ? msg("Running") : msg("Queued");
    // A queued job with an error is waiting to retry a transient failure.
    if (job.error) text += " " + errorText(job.error);
    show(text, { busy: true, kind: "busy" });
  }

  async function poll(jobId) {
    const url = dialog.dataset.jobUrl.replace(/\/0\/$/, "/" + jobId + "/");
    for (;;) {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const job = await response.json();
      if (job.final) return finish(job);
      progress(job);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function startPull() {
    if (!select.value) return show(msg("Choose"), { kind: "error" });
    pulling = true;
    syncButtons();
    show(msg("Queued"), { busy: true, kind: "busy" });
    try {
      const body = new FormData();
      body.set("legal_entity", select.value);
      const response = await fetch(dialog.dataset.pullUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        pulling = false;
        syncButtons();
        return show(errorText(data.error), { retry: true, kind: "error" });
      }
      if (data.final) return finish(data);
      progress(data);
      await poll(data.id);
    } catch (err) {
      pulling = false;
      syncButtons();
      show(msg("Network"), { retry: true, kind: "error" });
    }
  }

  async function checkArrival() {
    // Data saved in EMIS's tab arrives by webhook; offer a reload once the
    // person's EMIS version has moved since this card was rendered.
    if (document.visibilityState !== "visible" || pulling) return;
    try {
      const response = await fetch(dialog.dataset.stateUrl);
      if (!response.ok) return;
      const state = await response.json();
      const version = state.emis_version == null ? "" : String(state.emis_version);
      if (version !== knownVersion) {
        knownVersion = version;
        show(msg("Arrived"), { reload: true, kind: "ok" });
        flash.textContent = msg("Arrived");
        flash.hidden = false;
      }
    } catch (err) {
      /* offline for a moment: the next focus tries again */
    }
  }

  function showFlash() {
    const text = sessionStorage.getItem(flashKey);
    if (!text) return;
    sessionStorage.removeItem(flashKey);
    flash.textContent = text;
    flash.hidden = false;
  }

  openButton.addEventListener("click", openDialog);
  select.addEventListener("change", syncButtons);
  uploadForm.addEventListener("submit", onUploadSubmit);
  pullButton.addEventListener("click", startPull);
  retryButton.addEventListener("click", startPull);
  reloadButton.addEventListener("click", () => window.location.replace(cleanUrl()));
  $("[data-emis-cancel]").addEventListener("click", () => dialog.close());
  document.addEventListener("visibilitychange", checkArrival);
  window.addEventListener("focus", checkArrival);

  showFlash();
  syncButtons();
  if (dialog.hasAttribute("data-autoopen")) {
    window.history.replaceState(null, "", cleanUrl());
    openDialog();
  }
})();
