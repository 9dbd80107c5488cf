// The lesson page: times each answer and keeps keyboard focus on the feedback after an inline
// (htmx) answer. Without this file the page still works: answers post normally, untimed.
(function () {
  // An answer's time runs from the page being shown, or from the learner's previous answer.
  var since = performance.now();

  // Capture phase, so the field is filled before htmx (or the browser) reads the form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-timed]")) return;
    var field = form.querySelector("input[name=response_ms]");
    if (field) field.value = String(Math.round(performance.now() - since));
  }, true);

  // A 400 carries the question again with a message: show it in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.elt.matches("form[data-timed]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Fired on each element swapped in: move focus to its feedback (or error) so a keyboard or
  // screen-reader user lands on what just happened.
  document.addEventListener("htmx:afterSwap", function (event) {
    since = performance.now();
    var element = event.target;
    if (!element || !element.matches) return;
    var focus = element.matches("[data-focus]") ? element : element.querySelector("[data-focus]");
    if (focus) focus.focus();
  });
})();
