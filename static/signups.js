// Application form: an "Add another exhibit" button that clones the last exhibit row.
// Without JavaScript the five server-rendered rows are enough, and empty rows are ignored.
(function () {
  "use strict";
  var container = document.querySelector(".exhibit-rows");
  var button = document.querySelector(".add-exhibit");
  if (!container || !button) { return; }
  var max = parseInt(container.getAttribute("data-max-rows"), 10) || 30;
  button.hidden = false;
  button.addEventListener("click", function () {
    var rows = container.querySelectorAll(".exhibit-row");
    if (rows.length >= max) { button.disabled = true; return; }
    var last = rows[rows.length - 1];
    var index = rows.length;
    var clone = last.cloneNode(true);
    clone.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/exhibits-\d+-/, "exhibits-" + index + "-")); }
      });
    });
    var legend = clone.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\d+/, String(index + 1)); }
    clone.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    clone.querySelectorAll("input[type=text]").forEach(function (el) { el.value = ""; el.removeAttribute("aria-invalid"); });
    clone.querySelectorAll("input[type=checkbox]").forEach(function (el) { el.checked = false; });
    clone.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    container.appendChild(clone);
    var first = clone.querySelector("input[type=text]");
    if (first) { first.focus(); }
    if (rows.length + 1 >= max) { button.disabled = true; }
  });
})();
