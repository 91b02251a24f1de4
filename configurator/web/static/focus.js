// Keeps keyboard focus on, or next to, the control that acted when htmx swaps
// part of the page (WCAG 2.4.3). A pick's answer replaces whole features and
// the summary; the button pressed (Repair, Clear, Complete, Why) may be gone
// afterwards, and the browser would drop focus to the top of the page.
(function () {
  "use strict";
  let acted = null;

  function remember() {
    const active = document.activeElement;
    if (!active || active === document.body) {
      acted = null;
      return;
    }
    const feature = active.closest(".feature");
    acted = {
      id: active.id,
      action: active.name === "action" ? active.value : "",
      feature: feature ? feature.id : "",
    };
  }

  // Where focus goes when the control itself is gone: what its action changed.
  function successor(what) {
    const [kind, argument] = what.action.split(/:(.*)/s);
    const [feature, option] = (argument || "").split("=");
    const candidates = [];
    if (what.id) candidates.push("#" + CSS.escape(what.id));
    if ((kind === "repair" || kind === "why") && option) {
      const input = "opt-" + feature + "-" + option;
      if (kind === "why") candidates.push("#why-" + CSS.escape(input) + " button");
      candidates.push("#" + CSS.escape(input));
    }
    if (kind === "clear" && argument) candidates.push("#feature-" + CSS.escape(argument) + " .pick:not([disabled])");
    if (what.feature) candidates.push("#" + CSS.escape(what.feature) + " .pick:not([disabled])");
    if (kind === "complete") candidates.push("#summary-save", "#summary-order");
    candidates.push("#summary-save");
    for (const selector of candidates) {
      const found = document.querySelector(selector);
      if (found) return found;
    }
    return null;
  }

  function restore() {
    if (!acted) return;
    const active = document.activeElement;
    const lost = !active || active === document.body || !active.isConnected;
    const what = acted;
    acted = null;
    if (!lost) return;
    const target = successor(what);
    if (target) target.focus();
  }

  document.addEventListener("htmx:beforeRequest", remember);
  document.addEventListener("htmx:afterSettle", restore);
})();
