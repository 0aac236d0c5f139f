// The OpenAPI page at /docs: Swagger UI from the installed swagger-ui-bundle package, started
// from a file rather than an inline script so the page keeps the app's Content-Security-Policy.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
