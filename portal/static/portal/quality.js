// Inspection entry (progressive enhancement): flag a result outside its limits
// as it is typed. The flag is text next to the input, announced through
// aria-live, not colour alone; the server flags the same values again when the
// record is saved. Without JavaScript the form works the same, minus the flags.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-readings]");
  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

  function setup(form) {
    var separator = form.getAttribute("data-decimal-separator") || ".";
    var text = {
      above: form.getAttribute("data-text-above") || "Out of tolerance",
      below: form.getAttribute("data-text-below") || "Out of tolerance",
      nan: form.getAttribute("data-text-nan") || "Not a number",
      fail: form.getAttribute("data-text-fail") || "Failed"
    };

    function parse(raw) {
      var value = raw.replace(/[\s\u00a0]/g, "");
      if (separator !== ".") { value = value.split(separator).join("."); }
      return NUMBER.test(value) ? parseFloat(value) : NaN;
    }

    function show(input, message) {
      var flag = document.getElementById("flag_" + input.name);
      if (!flag) { return; }
      if (flag.textContent !== message) { flag.textContent = message; }
      var row = input.closest("tr");
      if (row) { row.classList.toggle("oot", message !== ""); }
    }

    function checkValue(input) {
      var raw = input.value.trim();
      if (raw === "") { show(input, ""); return; }
      var value = parse(raw);
      if (isNaN(value)) { show(input, text.nan); return; }
      var lower = parseFloat(input.getAttribute("data-lower"));
      var upper = parseFloat(input.getAttribute("data-upper"));
      if (value > upper) { show(input, text.above); }
      else if (value < lower) { show(input, text.below); }
      else { show(input, ""); }
    }

    function checkAttribute(radio) {
      var chosen = form.querySelector("input[name='" + radio.name + "']:checked");
      show(radio, chosen && chosen.value === "fail" ? text.fail : "");
    }

    form.querySelectorAll("input.reading-value").forEach(function (input) {
      input.addEventListener("input", function () { checkValue(input); });
      if (input.value) { checkValue(input); }
    });
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () { checkAttribute(radio); });
      if (radio.checked) { checkAttribute(radio); }
    });
  }

  forms.forEach(setup);
})();
