// Draws every element with a data-figure attribute (a Plotly figure as JSON), with the options
// of its data-config attribute (charts.py sets them: no toolbar, the page's width). data-drawn
// is set once the chart is on the page, for whoever waits for it.
(function () {
  function draw(root) {
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      if (element.dataset.drawing) return;
      element.dataset.drawing = "1";
      var figure = JSON.parse(element.dataset.figure);
      var config = Object.assign(
        { displayModeBar: false, responsive: true, displaylogo: false },
        JSON.parse(element.dataset.config || "{}")
      );
      window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
        element.dataset.drawn = "1";
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
