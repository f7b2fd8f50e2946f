// Live charts (device page, dashboard): the page gives the points so far (data-history, uPlot's
// [[ts...], [values of line 1...], ...]) and its lines (data-lines: [{id, name}]); new points arrive
// as Server-Sent Events ({device_id, ts, value}) and are appended to their device's line.
(function () {
  "use strict";
  var el = document.getElementById("live-chart");
  if (!el || typeof uPlot === "undefined") {
    return;
  }
  var colours = ["#0b5cad", "#b42318", "#1a7f37", "#8250df", "#bf8700", "#0a7ea4", "#cf222e", "#57606a"];
  var lines = JSON.parse(el.dataset.lines || "[]");
  var data = JSON.parse(el.dataset.history || "[[]]");
  while (data.length < lines.length + 1) {
    data.push(data[0].map(function () { return null; }));
  }
  var series = [{}].concat(lines.map(function (line, i) {
    return { label: line.name, stroke: colours[i % colours.length], width: 2, spanGaps: true };
  }));
  var plot = new uPlot({
    width: Math.max(320, Math.min(1100, el.clientWidth || 800)),
    height: 300,
    series: series
  }, data, el);
  el.dataset.points = String(data[0].length);
  if (!el.dataset.source) {
    return;
  }
  var received = 0;
  var source = new EventSource(el.dataset.source);
  source.addEventListener("point", function (event) {
    var point = JSON.parse(event.data);
    var line = lines.findIndex(function (l) { return l.id === point.device_id; });
    if (line < 0) {
      return;
    }
    data[0].push(point.ts / 1000);
    for (var i = 1; i < data.length; i++) {
      data[i].push(i === line + 1 ? point.value : null);
    }
    if (data[0].length > 2000) {
      data.forEach(function (column) { column.shift(); });
    }
    plot.setData(data);
    received++;
    el.dataset.received = String(received);
    el.dataset.points = String(data[0].length);
  });
})();
