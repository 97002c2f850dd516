// Small progressive enhancements; pages work without them. No inline scripts anywhere (CSP).
(function () {
  "use strict";
  // Confirm buttons: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Advisor picker (includes/_advisor_picker.html): one shared search on a page; the advisor picked fills the
  // hidden advisor field of every row's reassign form, including rows htmx swaps in later.
  var pickedAdvisor = "", pickedLabel = "";
  function fillPicked(root) {
    if (!pickedAdvisor) { return; }
    root.querySelectorAll("input[data-picked-advisor]").forEach(function (input) { input.value = pickedAdvisor; });
    var chosen = document.getElementById("advisor-picker-chosen");
    if (chosen) { chosen.textContent = pickedLabel; }
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick-advisor]");
    if (!option) { return; }
    pickedAdvisor = option.getAttribute("data-pick-advisor");
    pickedLabel = option.getAttribute("data-label");
    document.querySelectorAll("[data-pick-advisor]").forEach(function (el) {
      el.classList.toggle("btn-primary", el === option);
    });
    fillPicked(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { fillPicked(event.target); });
  // Staff picker of a list filter (wealthcrm.forms.StaffPicker): typing searches the people the filter offers; a
  // person picked fills the hidden field the form submits. Typed text alone filters by nobody.
  var staffSearch = null;
  function staffResults(picker) { return picker.querySelector(".staff-picker-results"); }
  document.addEventListener("input", function (event) {
    var picker = event.target.closest("[data-staff-picker]");
    if (!picker || event.target.type !== "search") { return; }
    picker.querySelector("[data-staff-value]").value = "";
    window.clearTimeout(staffSearch);
    var text = event.target.value.trim(), results = staffResults(picker);
    if (!text) { results.hidden = true; return; }
    staffSearch = window.setTimeout(function () {
      var url = picker.getAttribute("data-staff-picker");
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { results.innerHTML = html; results.hidden = !html; });
    }, 250);
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-staff-pick]");
    document.querySelectorAll("[data-staff-picker] .staff-picker-results").forEach(function (results) {
      if (!option || !results.contains(option)) { results.hidden = true; }
    });
    if (!option) { return; }
    var picker = option.closest("[data-staff-picker]");
    picker.querySelector("[data-staff-value]").value = option.getAttribute("data-staff-pick");
    picker.querySelector("input[type=search]").value = option.getAttribute("data-label");
    staffResults(picker).hidden = true;
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest("[data-staff-picker]");
    if (picker && event.key === "Escape") { staffResults(picker).hidden = true; }
  });
  // Charts: <canvas data-chart='{"type": "line", "data": {...}, "options": {...}}'>
  function drawCharts(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      var config = JSON.parse(canvas.getAttribute("data-chart"));
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new window.Chart(canvas, config);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
