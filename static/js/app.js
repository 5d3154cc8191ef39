// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function dismiss(toast) {
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, 300);
  }

  function armToasts(root) {
    root.querySelectorAll(".toast:not([data-armed])").forEach(function (toast) {
      toast.setAttribute("data-armed", "1");
      // Errors stay until dismissed: they are what the user must read.
      if (!toast.classList.contains("toast-error")) {
        setTimeout(function () { dismiss(toast); }, 6000);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss-toast]");
    if (button) { dismiss(button.closest(".toast")); }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
  });

  // Copy buttons: hidden without JavaScript (the text is there to select by hand).
  function armCopyButtons(root) {
    if (!navigator.clipboard) { return; }
    root.querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var done = button.getAttribute("data-copied") || "Copied";
      var status = document.querySelector(".copy-status");
      button.setAttribute("aria-label", done);
      if (status) { status.textContent = done; }
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    armToasts(document);
    armCopyButtons(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    armToasts(document);
    armCopyButtons(document);
  });
})();
