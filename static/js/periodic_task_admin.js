// django-celery-beat's periodic task admin form: under the crontab field,
// show the selected schedule in words. Moved out of the package's inline
// script (admin/djcelery/change_periodictask_form.html) for the CSP.
(function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  var script = document.getElementById("periodic-task-overrides");
  var data = document.getElementById("readable-crontabs");
  if (!$ || !script || !data) { return; }
  var readable = JSON.parse(data.textContent);
  var originalHelp = script.dataset.crontabHelp || "";
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var help = $(".field-crontab .help");
    help.text(originalHelp);
    help.append(document.createElement("br"));
    help.append(document.createTextNode("Translation: " + readable[$("#id_crontab").val()]));
  });
})();
