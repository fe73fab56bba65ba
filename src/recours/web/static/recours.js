// Recours — the only script of our own. Every page works without it.
// Quick exit by keyboard: press Shift three times (GOV.UK "Exit this page" pattern,
// researched with domestic-abuse survivors). The visible button is a plain link to
// /sortie, which clears the session and leaves for a neutral site.
(function () {
  "use strict";
  var exitLink = document.getElementById("quick-exit");
  if (!exitLink) { return; }
  var presses = 0;
  var timer = null;

  function leave(event) {
    if (event) { event.preventDefault(); }
    // Hide the page at once, then replace this history entry so Back does not return here.
    document.documentElement.classList.add("leaving");
    window.location.replace(exitLink.getAttribute("href"));
  }

  exitLink.addEventListener("click", leave);
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 2000);
    if (presses >= 3) { presses = 0; leave(null); }
  });

  // A page restored from the back/forward cache after an exit must not show the case.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  // Nothing of the case in the browser's storages: htmx writes the page's address into
  // sessionStorage as it loads (for a history feature we leave off; it has no setting to
  // stop it), which would leave an item's address in the tab. Removed at once, and again as
  // the page goes (htmx runs before this script: both are deferred, in this order).
  function forgetPath() {
    try { sessionStorage.removeItem("htmx-current-path-for-history"); } catch (ignored) { /* storage off */ }
  }
  forgetPath();
  window.addEventListener("pagehide", forgetPath);

  // After an htmx swap that reports a problem, move focus to the error summary.
  document.body.addEventListener("htmx:afterSwap", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();

// Drag and drop onto the upload form: the dropped files go into the file input, and the form
// is sent as usual (streamed to the vault). Without JavaScript the file input does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.upload");
  var input = document.getElementById("files");
  if (!form || !input) { return; }
  form.addEventListener("dragover", function (event) {
    event.preventDefault();
    form.classList.add("dragging");
  });
  form.addEventListener("dragleave", function () { form.classList.remove("dragging"); });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    form.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.focus();
    }
  });
})();
