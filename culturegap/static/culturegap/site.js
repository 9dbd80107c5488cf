// Small helps on every page; each page works without them.
(function () {
  // An open "More" menu closes on a click elsewhere or on Escape.
  function openMenus() {
    return document.querySelectorAll(".menu-more details[open]");
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (details) {
      details.open = false;
      details.querySelector("summary").focus();
    });
  });

  // A table or chart wider than the screen scrolls inside its box; a hint above the box says
  // so while there is more to its right (site.css also shades the edge that hides columns).
  var SCROLLERS = ".table-wrap, .chart-scroll";
  var watcher = window.ResizeObserver && new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target.closest(SCROLLERS)); });
  });

  function update(box) {
    if (!box) return;
    var hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) return;
    var hidden = box.scrollWidth - box.clientWidth - box.scrollLeft;
    hint.hidden = hidden < 12; // a few pixels of border or rounding are not a column
  }

  function watch(root) {
    root.querySelectorAll(SCROLLERS).forEach(function (box) {
      if (box.dataset.watched) return;
      box.dataset.watched = "1";
      var hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = "scroll for more →";
      hint.hidden = true;
      box.before(hint);
      box.addEventListener("scroll", function () { update(box); }, { passive: true });
      if (watcher) {
        watcher.observe(box);
        if (box.firstElementChild) watcher.observe(box.firstElementChild);
      }
      update(box);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { watch(document); });
  document.addEventListener("htmx:afterSettle", function (event) { watch(event.target); });
})();
