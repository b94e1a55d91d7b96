// The market chooser (templates/_macros/market_chooser.html): a filter box that narrows the
// list of countries as one types (English or Korean names, or the ISO code) and a live count of
// the countries chosen. Without JavaScript the grouped checkboxes work as they are.
(function () {
  "use strict";
  function setUp(chooser) {
    if (chooser.getAttribute("data-ready")) { return; }
    chooser.setAttribute("data-ready", "1");
    var box = chooser.querySelector("[data-market-filter]");
    var input = box && box.querySelector("input[type=search]");
    var none = chooser.querySelector("[data-market-none]");
    var count = chooser.querySelector("[data-market-count]");
    var names = chooser.querySelector("[data-market-names]");
    var groups = Array.prototype.slice.call(chooser.querySelectorAll("[data-market-group]"));
    var wasOpen = groups.map(function (group) { return group.open; });
    if (!input) { return; }
    box.hidden = false;

    function ticked() {
      return Array.prototype.filter.call(chooser.querySelectorAll("input[type=checkbox], input[type=radio]"),
        function (el) { return el.checked && el.value; });
    }
    function updateCount() {
      var chosen = ticked();
      if (count) { count.textContent = count.getAttribute("data-template").replace("#", String(chosen.length)); }
      var labels = chosen.map(function (el) { return el.parentNode.textContent.trim(); });
      var none = names.getAttribute("data-none");
      names.textContent = labels.length ? labels.join(", ") : (none || "");
      names.hidden = !labels.length && !none;
    }
    function filter() {
      var needle = input.value.trim().toLocaleLowerCase();
      var shown = 0;
      groups.forEach(function (group, i) {
        var matches = 0;
        group.querySelectorAll("li[data-names]").forEach(function (item) {
          var match = !needle || item.getAttribute("data-names").indexOf(needle) !== -1;
          item.hidden = !match;
          if (match) { matches += 1; }
        });
        shown += matches;
        group.hidden = matches === 0;
        group.open = needle ? matches > 0 : (wasOpen[i] || group.querySelector("input:checked") !== null);
      });
      none.hidden = shown > 0;
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter in the filter box moves to the first country shown instead of sending the form.
        event.preventDefault();
        var first = chooser.querySelector("[data-market-group]:not([hidden]) li:not([hidden]) input");
        if (first) { first.focus(); }
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        filter();
      }
    });
    chooser.addEventListener("change", updateCount);
  }
  document.querySelectorAll("[data-market-chooser]").forEach(setUp);
})();
