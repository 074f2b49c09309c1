// Small, dependency-free helpers shared by pages. No CDN: works offline.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const text = source.value !== undefined ? source.value : source.textContent;
  const done = () => {
    const label = button.textContent;
    button.textContent = button.dataset.copied || "✓";
    setTimeout(() => (button.textContent = label), 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text.trim()).then(done);
  } else {
    // Plain-HTTP hotel intranets have no Clipboard API: fall back.
    const area = document.createElement("textarea");
    area.value = text.trim();
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    done();
  }
});

// A field marked data-autosubmit (the board's day and calendar) submits its
// form on change. Here rather than in an onchange attribute: the CSP forbids
// inline handlers.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// A button with data-dialog="ID" opens <dialog id=ID> as a modal (only
// script can); a dialog marked data-autoopen="PARAM" opens on load, once: the
// query parameter that asked for it leaves the address, so F5 does not.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog]");
  if (opener) document.getElementById(opener.dataset.dialog).showModal();
});
document.addEventListener("DOMContentLoaded", () => {
  for (const dialog of document.querySelectorAll("dialog[data-autoopen]")) {
    dialog.showModal();
    const url = new URL(window.location.href);
    url.searchParams.delete(dialog.dataset.autoopen);
    window.history.replaceState(null, "", url);
  }
});

// A form marked data-guard asks before its page is left with unsaved typing.
let unsaved = false;
document.addEventListener("input", (e) => { unsaved ||= Boolean(e.target.closest("form[data-guard]")); });
document.addEventListener("submit", (e) => { if (e.target.matches("[data-guard]")) unsaved = false; });
window.addEventListener("beforeunload", (e) => { if (unsaved) e.preventDefault(); });

// ←/→ follow a link marked data-hotkey="ArrowLeft"/"ArrowRight", unless typing.
document.addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest("input, select, textarea")) return;
  document.querySelector(`a[data-hotkey="${CSS.escape(e.key)}"]`)?.click();
});
