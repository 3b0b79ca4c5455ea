// Jumat SMART dashboard: the cash book's print button (the page prints by its own stylesheet).
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || !window.print) { return; }
  button.addEventListener("click", function () { window.print(); });
})();
