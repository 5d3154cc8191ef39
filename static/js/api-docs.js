// The API documentation page: Swagger UI (vendored) on the OpenAPI document. A file of
// its own, so the page needs no inline script (CSP).
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("api-docs");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
