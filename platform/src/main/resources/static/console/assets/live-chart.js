// The device page's live chart: points arrive as Server-Sent Events and are drawn with uPlot.
(function () {
  "use strict";
  var el = document.getElementById("live-chart");
  if (!el || typeof uPlot === "undefined") {
    return;
  }
  var xs = [];
  var ys = [];
  var plot = new uPlot({
    width: Math.max(320, Math.min(1100, el.clientWidth || 800)),
    height: 300,
    series: [{}, { label: el.dataset.key, stroke: "#0b5cad", width: 2 }]
  }, [xs, ys], el);
  var source = new EventSource(el.dataset.source);
  source.addEventListener("point", function (event) {
    var point = JSON.parse(event.data);
    xs.push(point.ts / 1000);
    ys.push(point.value);
    if (xs.length > 1000) {
      xs.shift();
      ys.shift();
    }
    plot.setData([xs, ys]);
    el.dataset.points = String(xs.length);
  });
})();
