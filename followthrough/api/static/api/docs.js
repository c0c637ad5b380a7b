// Starts Swagger UI on /api/v1/docs from the vendored bundle. Kept out of the page so that a strict
// Content-Security-Policy (no inline scripts) still allows it.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  // Swagger UI would otherwise send the schema to validator.swagger.io for its badge.
  config.validatorUrl = null;
  window.ui = SwaggerUIBundle(config);
})();
