// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // 长辈模式 (elder mode): the header switch toggles at once and is remembered for a year in
  // a cookie, which the server reads to render the next pages already enlarged (no flash).
  var elder = document.querySelector("[data-elder-toggle]");
  if (elder) {
    elder.hidden = false;
    elder.addEventListener("click", function () {
      var on = document.documentElement.classList.toggle("elder");
      document.cookie = "elder=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
      elder.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  // A form that came back with errors: focus its summary so it is read out first.
  var summary = document.querySelector(".form-errors[tabindex='-1']");
  if (summary) { summary.focus(); }
  // Wide tables scroll inside their own box on small screens, never the whole page (WCAG
  // 1.4.10); a box that does scroll can be reached and scrolled with the keyboard and is named
  // after the table's caption or the heading before it.
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.closest(".table-wrap")) { return; }
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    table.parentNode.insertBefore(wrap, table);
    wrap.appendChild(table);
  });
  function markScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", scrolls);
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var table = wrap.querySelector("table"), caption = table && table.querySelector("caption");
        var heading = caption ? null : wrap.previousElementSibling;
        var name = caption ? caption.textContent : (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : "");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (name) { wrap.setAttribute("aria-label", name.trim()); }
      }
    });
  }
  markScrolling();
  window.addEventListener("resize", markScrolling);
  // In the English interface, data stays Chinese (names of organizations, places, projects):
  // mark such fragments lang="zh-CN" so screen readers switch voice (WCAG 3.1.2).
  if (document.documentElement.lang === "en") {
    var cjk = /[\u3400-\u9fff]/, latin = /[A-Za-z]/;
    document.querySelectorAll("main h1, main h2, main h3, main p, main li, main dt, main dd, main td, main th, main a, main span, main strong, main option, main label, header .who").forEach(function (el) {
      if (el.closest("[lang]") !== document.documentElement) { return; }
      var text = el.textContent;
      if (cjk.test(text) && !latin.test(text)) { el.setAttribute("lang", "zh-CN"); }
    });
  }
  // Destructive actions ask first: <form data-confirm="...">.
  // The question may sit on the form or on the button that submits it (<button data-confirm>).
  document.addEventListener("submit", function (e) {
    var button = e.submitter;
    var question = (button && button.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });
  // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[name="' + box.getAttribute("data-select-all") + '"]').forEach(function (b) { b.checked = box.checked; });
    });
  });
  // Progress polling: <div data-progress-url="..."> gets {"done": n, "total": m, "finished": bool}.
  document.querySelectorAll("[data-progress-url]").forEach(function (el) {
    var url = el.getAttribute("data-progress-url");
    function poll() {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
        var bar = el.querySelector("progress");
        if (bar) { bar.max = d.total || 1; bar.value = d.done || 0; }
        var label = el.querySelector("[data-progress-label]");
        if (label) { label.textContent = (d.done || 0) + " / " + (d.total || 0); }
        if (d.finished) { if (el.hasAttribute("data-reload")) { window.location.reload(); } } else { setTimeout(poll, 1000); }
      }).catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  });
})();
