// The ratings figures' charts (ECharts): good rate per department (bars) and the levels per department (stacked
// bars). The numbers come from the page (json_script #rating-chart-data, written from the same selector answer
// as the tables under the charts), so nothing is computed here and no inline script is needed (CSP).
(function () {
  "use strict";
  var src = document.getElementById("rating-chart-data");
  var box = document.getElementById("rating-charts");
  if (!src || !box || !window.echarts) { return; }
  var data = JSON.parse(src.textContent);
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var charts = [];
  var height = Math.max(220, data.departments.length * (narrow ? 34 : 28) + 70) + "px";
  function make(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    el.style.height = height;
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  var yAxis = { type: "category", inverse: true, data: data.departments,
                axisLabel: { width: narrow ? 90 : 150, overflow: "truncate" } };
  var good = make("chart-good");
  if (good) {
    good.setOption({
      color: ["#198754"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v == null ? "—" : v.toFixed(1) + "%"; } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: yAxis,
      series: [{ name: data.label_good_rate, type: "bar", data: data.good_rate, barMaxWidth: 14 }]
    });
  }
  var levelsEl = document.getElementById("chart-levels");
  var levels = make("chart-levels");
  if (levels) {
    if (narrow) { levelsEl.style.height = (parseInt(height, 10) + 32) + "px"; levels.resize(); }
    var names = Object.keys(data.levels);
    levels.setOption({
      color: ["#146c43", "#20c997", "#adb5bd", "#fd7e14", "#dc3545"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      // The legend wraps to two lines on a phone: room for it under the axis labels.
      grid: { left: 8, right: 24, top: 8, bottom: narrow ? 72 : 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: yAxis,
      series: names.map(function (n) { return { name: n, type: "bar", stack: "levels", data: data.levels[n], barMaxWidth: 14 }; })
    });
  }
  box.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
