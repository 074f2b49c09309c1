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

// A select marked data-autosubmit (the language switcher) submits its form
// on change. Here rather than in an onchange attribute: the CSP forbids
// inline handlers.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
