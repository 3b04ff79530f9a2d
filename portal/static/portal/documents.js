// Live progress of a PDF being prepared in the background: poll the status
// endpoint and update the bar and the stage; reload the page when it is done
// (or failed), which then shows the download link or the error.
(function () {
  "use strict";
  var box = document.getElementById("render-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  function set(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        var bar = document.getElementById("render-bar");
        if (bar) { bar.value = s.progress; }
        set("render-percent", String(s.progress));
        set("render-stage", s.stage_label);
        set("render-status", s.status_label);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
