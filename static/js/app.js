// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // With JavaScript the sidebar folds behind the "Menu" button on narrow screens (CSS);
  // without it, it stays open.
  document.documentElement.classList.add("has-js");

  function setMenu(open) {
    var nav = document.getElementById("app-nav");
    var toggle = document.querySelector(".menu-toggle");
    if (!nav || !toggle) { return; }
    nav.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = nav.querySelector("a");
      if (first) { first.focus(); }
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest(".menu-toggle")) {
      var nav = document.getElementById("app-nav");
      setMenu(!(nav && nav.classList.contains("is-open")));
    }
  });

  document.addEventListener("keydown", function (event) {
    var nav = document.getElementById("app-nav");
    if (event.key === "Escape" && nav && nav.classList.contains("is-open")) {
      setMenu(false);
      var toggle = document.querySelector(".menu-toggle");
      if (toggle) { toggle.focus(); }
    }
  });

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
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) { toggle.hidden = false; }
    armToasts(document);
    armCopyButtons(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    armToasts(document);
    armCopyButtons(document);
  });
})();
