// Name policy admin: keep the preview's highlighted row in step with the
// three selects, before saving. Plain DOM, no framework.
(function () {
  "use strict";
  function highlight() {
    var script = document.getElementById("id_script");
    var letterCase = document.getElementById("id_letter_case");
    var standard = document.getElementById("id_latin_standard");
    if (!script || !letterCase || !standard) { return; }
    document.querySelectorAll(".name-policy-preview tbody tr").forEach(function (row) {
      var match = row.dataset.script === script.value &&
        row.dataset.letterCase === letterCase.value &&
        row.dataset.latinStandard === standard.value;
      row.classList.toggle("current", match);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["id_script", "id_letter_case", "id_latin_standard"].forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.addEventListener("change", highlight); }
    });
  });
})();
