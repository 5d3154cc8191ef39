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

  // A request that takes a while says so in words, and its form's submit buttons are
  // disabled until the answer (a double click never sends twice). Polls say nothing.
  var waitBox = null, waitTimer = null, slowTimer = null;
  function waitFor() {
    waitBox = waitBox || document.getElementById("switch-wait");
    if (!waitBox) { return; }
    var started = Date.now();
    clearTimeout(waitTimer);
    clearTimeout(slowTimer);
    waitTimer = setTimeout(function () {
      waitBox.textContent = waitBox.getAttribute("data-waiting");
      waitBox.classList.remove("is-slow");
      waitBox.hidden = false;
    }, 400);
    slowTimer = setTimeout(function () {
      var patience = parseInt(waitBox.getAttribute("data-patience"), 10) || 55;
      var until = new Date(started + patience * 1000);
      var time = until.toLocaleTimeString(document.documentElement.lang || undefined,
        { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
      waitBox.textContent = waitBox.getAttribute("data-slow").replace("%(time)s", time);
      waitBox.classList.add("is-slow");
      waitBox.hidden = false;
    }, 4000);
  }
  function doneWaiting() {
    clearTimeout(waitTimer);
    clearTimeout(slowTimer);
    if (waitBox) { waitBox.hidden = true; }
  }
  function setBusy(form, busy) {
    if (!form || form.tagName !== "FORM") { return; }
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
      if (busy) { b.setAttribute("data-busy", "1"); b.disabled = true; }
      else if (b.getAttribute("data-busy")) { b.removeAttribute("data-busy"); b.disabled = false; }
    });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // On beforeSend, once htmx has read the form: a button disabled earlier would be left out.
  document.addEventListener("htmx:beforeSend", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!trigger) { return; }  // a poll ("every 2s") or a load: nobody is waiting
    waitFor();
    // Only a write locks its form: a filter or search (GET) may be typed over at will.
    if ((event.detail.requestConfig.verb || "get").toLowerCase() !== "get") {
      setBusy(event.detail.elt.closest("form"), true);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    doneWaiting();
    setBusy(event.detail.elt.closest && event.detail.elt.closest("form"), false);
  });
  // A plain form post (no htmx): the page is replaced by the answer; until then, say so.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
    waitFor();
    // After the submit has taken the button's value; and back after the longest wait,
    // should the answer be a download that leaves this page in place.
    setTimeout(function () { setBusy(form, true); }, 0);
    var box = document.getElementById("switch-wait");
    var patience = (box && parseInt(box.getAttribute("data-patience"), 10)) || 55;
    setTimeout(function () { doneWaiting(); setBusy(form, false); }, patience * 1000);
  });
  window.addEventListener("pageshow", function () {  // back to a page from the cache
    doneWaiting();
    document.querySelectorAll("form[aria-busy=true]").forEach(function (f) { setBusy(f, false); });
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

  // A box that scrolls sideways (a wide table on a phone) can be scrolled from the
  // keyboard: it takes the focus, and says what it holds.
  function armScrollBoxes(root) {
    root.querySelectorAll("main .table-scroll, main .overflow-auto, main table").forEach(function (box) {
      if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth + 1) { return; }
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role") && box.tagName !== "TABLE") { box.setAttribute("role", "region"); }
      if (!box.hasAttribute("aria-label")) {
        var caption = box.querySelector("caption") || box.closest("section, article");
        var heading = caption && (caption.tagName === "CAPTION" ? caption : caption.querySelector("h2, h3, header"));
        if (heading) { box.setAttribute("aria-label", heading.textContent.trim()); }
      }
    });
  }
  window.addEventListener("resize", function () { armScrollBoxes(document); });

  document.addEventListener("DOMContentLoaded", function () {
    armScrollBoxes(document);
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) { toggle.hidden = false; }
    armToasts(document);
    armCopyButtons(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    armScrollBoxes(document);
    armToasts(document);
    armCopyButtons(document);
  });
})();
