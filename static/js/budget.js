// Budget table (ventures application form): add and remove rows, and a running total
// compared with the amount requested. Amounts accept "24,000", "24 000", full-width digits.
(function () {
  "use strict";
  function parse(text) {
    if (!text) { return null; }
    var v = String(text).replace(/[\uFF01-\uFF5E]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[,\s\u00a0¥￥元、]/g, "");
    if (!/^-?\d+(\.\d+)?$/.test(v)) { return null; }
    return Math.round(parseFloat(v) * 100);
  }
  function money(cents) {
    var neg = cents < 0; cents = Math.abs(cents);
    var s = (Math.floor(cents / 100)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var c = String(cents % 100); if (c.length < 2) { c = "0" + c; }
    return (neg ? "-" : "") + "¥" + s + "." + c;
  }
  document.querySelectorAll("[data-budget-table]").forEach(function (box) {
    var tbody = box.querySelector("tbody");
    var total = box.querySelector("[data-budget-total]");
    var compare = box.querySelector("[data-budget-compare]");
    var requested = document.querySelector(box.getAttribute("data-compare"));
    function update() {
      var sum = 0, bad = false;
      tbody.querySelectorAll('input[name$="-amount"]').forEach(function (inp) {
        var v = parse(inp.value);
        inp.classList.toggle("invalid", inp.value.trim() !== "" && v === null);
        if (v === null) { if (inp.value.trim() !== "") { bad = true; } } else { sum += v; }
      });
      total.textContent = money(sum);
      var req = requested ? parse(requested.value) : null;
      compare.className = "";
      if (req === null) {
        compare.textContent = compare.getAttribute("data-msg-nocompare");
      } else if (req === sum) {
        compare.textContent = compare.getAttribute("data-msg-match"); compare.className = "match";
      } else {
        var key = sum < req ? "under" : "over";
        compare.textContent = compare.getAttribute("data-msg-" + key).replace("{amount}", money(Math.abs(req - sum)));
        compare.className = "over";
      }
      var rows = tbody.querySelectorAll("[data-budget-row]");
      rows.forEach(function (r) { r.querySelector("[data-budget-remove]").disabled = rows.length <= 1; });
    }
    box.querySelector("[data-budget-add]").addEventListener("click", function () {
      var rows = tbody.querySelectorAll("[data-budget-row]");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; i.classList.remove("invalid"); });
      tbody.appendChild(copy);
      copy.querySelector("input").focus();
      update();
    });
    tbody.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-budget-remove]");
      if (!btn) { return; }
      var rows = tbody.querySelectorAll("[data-budget-row]");
      if (rows.length <= 1) { return; }
      btn.closest("tr").remove();
      update();
    });
    tbody.addEventListener("input", update);
    if (requested) { requested.addEventListener("input", update); }
    update();
  });
})();
