// On wide screens the catalogue's filters stay open; on a phone they fold behind their summary.
(function () {
  "use strict";
  if (window.matchMedia && window.matchMedia("(min-width: 768px)").matches) {
    document.querySelectorAll("details.filters-details").forEach(function (el) { el.open = true; });
  }
})();
