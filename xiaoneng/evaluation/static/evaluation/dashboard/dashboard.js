// The leader's view charts (ECharts): grades by group (stacked bars), one department's score beside the mean
// (lines), the headline metrics over time (lines and bars; a click on a point opens that period's breakdown).
// The numbers come from the page (json_script #dashboard-chart-data, written from the same selector answers as
// the tables under the charts), so nothing is computed here and no inline script is needed (CSP).
(function () {
  "use strict";
  var printBtn = document.querySelector("[data-print]");
  if (printBtn) { printBtn.addEventListener("click", function () { window.print(); }); }
  var src = document.getElementById("dashboard-chart-data");
  var box = document.getElementById("dashboard-charts");
  if (!src || !box || !window.echarts) { return; }
  var data = JSON.parse(src.textContent);
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var charts = [];
  function make(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  var grid = { left: 8, right: 16, top: 16, bottom: narrow ? 64 : 40, containLabel: true };
  var legend = { bottom: 0, type: "scroll" };
  // Period names break after the year (2026年 / 第三季度) so eight of them fit side by side; on a phone ECharts
  // leaves out labels that would overlap (the table under the chart names every period).
  var axisLabel = { interval: narrow ? "auto" : 0, hideOverlap: true, fontSize: narrow ? 10 : 12,
                    formatter: function (v) { return String(v).replace("年", "年\n"); } };

  var grades = make("chart-grades");
  if (grades) {
    grades.setOption({
      animation: false,
      color: ["#198754", "#0d6efd", "#adb5bd", "#dc3545"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: legend, grid: grid,
      xAxis: { type: "category", data: data.grades.groups, axisLabel: axisLabel },
      yAxis: { type: "value", minInterval: 1 },
      series: data.grades.labels.map(function (n, i) {
        return { name: n, type: "bar", stack: "grades", data: data.grades.series[i], barMaxWidth: 48 };
      })
    });
  }
  var trend = make("chart-trend");
  if (trend) {
    trend.setOption({
      animation: false,
      color: ["#0d6efd", "#6c757d"],
      tooltip: { trigger: "axis" }, legend: legend, grid: grid,
      xAxis: { type: "category", data: data.trend.periods, axisLabel: axisLabel },
      yAxis: { type: "value", scale: true },
      series: [
        { name: data.trend.label_score, type: "line", data: data.trend.score, connectNulls: false, symbolSize: 8 },
        { name: data.trend.label_mean, type: "line", data: data.trend.mean, lineStyle: { type: "dashed" } }
      ]
    });
  }
  function metricChart(id, kind, series) {
    var c = make(id);
    if (!c) { return; }
    if (!series.length) { document.getElementById(id).style.display = "none"; return; }
    c.setOption({
      animation: false,
      tooltip: { trigger: "axis" }, legend: legend, grid: grid,
      xAxis: { type: "category", data: data.metrics.periods, axisLabel: axisLabel },
      yAxis: kind === "rates" ? { type: "value", max: 100, scale: true, axisLabel: { formatter: "{value}%" } }
        : (kind === "counts" ? { type: "value", minInterval: 1 } : { type: "value", scale: true }),
      series: series.map(function (s) {
        return { name: s.name, type: kind === "counts" ? "bar" : "line", data: s.values, symbolSize: 9,
                 barMaxWidth: 24, cursor: "pointer" };
      })
    });
    c.on("click", function (p) {
      var s = series[p.seriesIndex];
      var url = s && s.links[p.dataIndex];
      if (url) { window.location.href = url; }
    });
  }
  metricChart("chart-rates", "rates", data.metrics.charts.rates);
  metricChart("chart-counts", "counts", data.metrics.charts.counts);
  metricChart("chart-ratio", "ratio", data.metrics.charts.ratio);
  box.setAttribute("data-ready", "1");
  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resizeAll);
  // Printing: the charts are drawn again at the printed width (A4 portrait, margins included).
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    if (mq.addEventListener) { mq.addEventListener("change", resizeAll); }
  }
})();
