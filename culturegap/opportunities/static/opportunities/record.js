// The record-a-need form: a customer search answered after the CRP picked a customer must not
// undo the pick. Such an answer is not shown; the search is asked again, now carrying the pick,
// and the search endpoint keeps the picked customer checked. Without this file the form still
// works; only that race is left open.
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var list = event.detail.target;
    if (!list || list.id !== "customer-results") return;
    var picked = list.querySelector("input[name=customer]:checked");
    if (!picked) return;
    var sent = new URL(event.detail.xhr.responseURL).searchParams.get("customer");
    if (sent === picked.value) return;
    event.detail.shouldSwap = false;
    var search = document.getElementById("customer-search");
    if (search) search.dispatchEvent(new Event("search"));
  });
})();
