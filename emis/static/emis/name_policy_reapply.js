// Progress of a name-policy re-apply: poll the job's JSON status with
// fetch() until it finishes. No framework, no CDN.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var FINAL = { succeeded: true, failed: true };

  function render(box, data) {
    var bar = box.querySelector("progress");
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    var state = box.querySelector('[data-field="state"]');
    state.textContent = state.dataset["label" + data.status.charAt(0).toUpperCase() +
      data.status.slice(1)] || data.status;
    box.querySelector('[data-field="done"]').textContent = data.progress_done;
    box.querySelector('[data-field="total"]').textContent = data.progress_total;
    box.querySelector('[data-field="changed"]').textContent = data.persons_changed;
    box.querySelector('[data-field="error"]').hidden = data.status !== "failed";
    box.querySelector('[data-field="skipped-ids"]').textContent = data.skipped_person_ids;
    box.querySelector('[data-field="skipped"]').hidden = !data.skipped_person_ids;
    box.dataset.status = data.status;
  }

  function poll(box) {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        render(box, data);
        if (!FINAL[data.status]) { window.setTimeout(function () { poll(box); }, POLL_MS); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, POLL_MS * 5); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".reapply-progress[data-status-url]");
    if (box && !FINAL[box.dataset.status]) { poll(box); }
  });
})();
