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
