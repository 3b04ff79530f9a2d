// Live progress of a plan while it solves: poll the progress endpoint and update
// the bar, the best objective and the gap; reload the page when the solve ends.
(function () {
  "use strict";
  var box = document.getElementById("plan-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 0 });
  function set(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (p) {
        if (p.finished) { window.location.reload(); return; }
        var bar = document.getElementById("plan-bar");
        if (bar && p.elapsed !== null) { bar.value = p.elapsed; }
        set("plan-elapsed", p.elapsed === null ? "0" : p.elapsed.toFixed(1));
        set("plan-status", p.status_label);
        if (p.objective !== null) { set("plan-objective", number.format(p.objective)); }
        if (p.gap_percent !== null) { set("plan-gap", p.gap_percent + " %"); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
