// Behaviours that used to be inline handlers (the Content-Security-Policy allows no
// inline script): declared with data- attributes, wired here once for the whole page,
// including content htmx swaps in later (listeners are delegated on the document).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-disable-on-submit")) {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var copy = target.closest("[data-copy-from]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy-from"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value || source.textContent);
      }
      copy.textContent = copy.getAttribute("data-copied-label") || "Copied";
      return;
    }
    var closer = target.closest("[data-close-details]");
    if (closer) {
      var details = closer.closest("details");
      if (details) details.open = false;
    }
    var sidebarClose = target.closest("[data-sidebar-close]");
    if (sidebarClose) {
      var sidebar = sidebarClose.closest(".sidebar");
      if (sidebar && sidebar.parentElement && sidebar.parentElement.id === "stripe-sidebar") {
        sidebar.remove();
        event.preventDefault();
      }
    }
  });
})();
