// Reviewer scoring: each criterion's weighted points and the weighted total as the reviewer
// types, and the final submit's confirmation names the total (or says scores are missing).
(function () {
  "use strict";
  var form = document.querySelector("form[data-scoring]");
  if (!form) { return; }
  var inputs = form.querySelectorAll("input[data-weight]");
  var totalEl = form.querySelector("[data-score-total]");
  var submit = form.querySelector('button[name="submit"]');
  function update() {
    var total = 0, missing = false, bad = false;
    inputs.forEach(function (inp) {
      var cell = inp.closest("tr").querySelector("[data-weighted]");
      var raw = inp.value.trim();
      var v = parseFloat(raw);
      if (raw === "") { missing = true; cell.textContent = "—"; return; }
      if (isNaN(v) || v < 0 || v > 100) { bad = true; cell.textContent = "?"; inp.setAttribute("aria-invalid", "true"); return; }
      inp.removeAttribute("aria-invalid");
      var w = v * parseFloat(inp.getAttribute("data-weight")) / 100;
      total += w;
      cell.textContent = w.toFixed(2);
    });
    totalEl.textContent = bad ? "?" : total.toFixed(2);
    if (submit) {
      var msg = missing || bad ? submit.getAttribute("data-confirm-incomplete")
        : submit.getAttribute("data-confirm-template").replace("{total}", total.toFixed(2));
      submit.setAttribute("data-confirm", msg);
    }
  }
  form.addEventListener("input", update);
  update();
})();
