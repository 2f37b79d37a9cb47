// The complaint figures' charts (ECharts): the 三率 per month and per department. The numbers come from the
// page itself (json_script #figures-chart-data, written from the same selector answer as the tables under the
// charts), so nothing is computed here and no inline script is needed (CSP). The tables stay the primary,
// accessible representation; the charts are role="img" with a label pointing to them.
(function () {
  "use strict";
  var src = document.getElementById("figures-chart-data");
  var box = document.getElementById("figures-charts");
  if (!src || !box || !window.echarts) { return; }
  var data = JSON.parse(src.textContent);
  var keys = Object.keys(data.trend);  // the seeds' 三率, in the page's order
  var colors = ["#0b5ed7", "#198754", "#fd7e14"];
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var charts = [];
  function pct(v) { return v == null ? "—" : v.toFixed(1) + "%"; }
  function make(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }

  var trend = make("chart-trend");
  if (trend) {
    trend.setOption({
      color: colors,
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: keys.map(function (k) {
        return { name: data.labels[k], type: "line", data: data.trend[k], connectNulls: false,
                 symbolSize: narrow ? 4 : 6 };
      })
    });
  }

  var compare = document.getElementById("chart-compare");
  if (compare) {
    // One row of three bars per department: the chart grows with the number of departments so that long
    // Chinese names stay readable, on a phone too.
    var perRow = narrow ? 42 : 36;
    compare.style.height = Math.max(260, data.departments.length * perRow + 70) + "px";
    var bars = make("chart-compare");
    bars.setOption({
      color: colors,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: pct },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 8, bottom: 40, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.departments,
               axisLabel: { width: narrow ? 90 : 150, overflow: "truncate" } },
      series: keys.map(function (k) {
        return { name: data.labels[k], type: "bar", data: data.compare[k], barMaxWidth: 12 };
      })
    });
  }
  box.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
