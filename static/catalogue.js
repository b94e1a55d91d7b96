// Countdown to each offer's deadline, and the deadline in the visitor's own time zone.
// Without JavaScript the page already shows the deadline in Seoul time and the offer's zone.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  function text(el) {
    var deadline = new Date(el.dataset.deadline);
    var ms = deadline.getTime() - Date.now();
    var local = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(deadline);
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    if (ms <= 0) { return local + " (" + el.dataset.labelLocal + ", " + zone + ")"; }
    var days = Math.floor(ms / 86400000), hours = Math.floor(ms % 86400000 / 3600000),
        minutes = Math.floor(ms % 3600000 / 60000);
    var parts = [];
    var fmt = function (value, unit) {
      try { return new Intl.NumberFormat(lang, { style: "unit", unit: unit, unitDisplay: "long" }).format(value); }
      catch (e) { return value + " " + unit + "s"; }
    };
    if (days) { parts.push(fmt(days, "day")); }
    if (days || hours) { parts.push(fmt(hours, "hour")); }
    if (!days) { parts.push(fmt(minutes, "minute")); }
    return parts.join(" ") + " " + el.dataset.labelLeft + " · " + local + " (" + el.dataset.labelLocal + ", " + zone + ")";
  }
  function tick() {
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      el.textContent = text(el);
      el.hidden = false;
    });
  }
  tick();
  setInterval(tick, 30000);
})();
