/* Deadline date pickers: say at once when staff pick a day off, and when the deadline will
   really end (the next working day). Served by the portal; no dependencies. */
(function () {
  "use strict";
  if (window.__deadlineCheck) return;
  window.__deadlineCheck = true;

  function hintFor(input) {
    var id = input.id + "-day-off";
    var hint = document.getElementById(id);
    if (!hint) {
      hint = document.createElement("p");
      hint.id = id;
      hint.className = "field-hint day-off-hint";
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    return hint;
  }

  function check(input) {
    var value = input.value;
    var hint = hintFor(input);
    if (!value) { hint.textContent = ""; return; }
    fetch("/calendar/day/?date=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || input.value !== value) return;
        hint.textContent = data.working ? "" : data.message;
        hint.classList.toggle("warn", !data.working);
      })
      .catch(function () { hint.textContent = ""; });
  }

  function init() {
    document.querySelectorAll("input[data-deadline-check]").forEach(function (input) {
      input.addEventListener("change", function () { check(input); });
      if (input.value) check(input);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
