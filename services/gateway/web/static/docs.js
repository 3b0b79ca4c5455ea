// Jumat SMART: starts Swagger UI (served from the swagger-ui-bundle package) on /openapi.json.
(function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  if (!box || !window.SwaggerUIBundle) { return; }
  window.ui = window.SwaggerUIBundle({
    url: box.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
