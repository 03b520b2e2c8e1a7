/* Payam (پیام ایران): the small amount of JavaScript every page needs.
   Loaded with `defer` from base.html; the CSP forbids inline scripts, so it lives here. */
(function () {
  "use strict";

  /* Every htmx request carries the CSRF token from <meta name="csrf-token">, so POST,
     PUT, PATCH and DELETE requests made by htmx pass Django's CSRF check. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });
})();
