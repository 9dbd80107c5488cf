// Draws every element with a data-figure attribute (a Plotly figure as JSON).
(function () {
  function draw(root) {
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      if (element.dataset.drawn) return;
      var figure = JSON.parse(element.dataset.figure);
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"],
      });
      element.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
