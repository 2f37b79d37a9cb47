// A department's trend on the public portal (ECharts): the total score and each public figure over the published
// quarters. The numbers come from the page (json_script #dept-chart-data, the same selector answer as the table
// under the chart), so nothing is computed here and no inline script is needed (CSP).
(function () {
  "use strict";
  var src = document.getElementById("dept-chart-data");
  var el = document.getElementById("chart-dept-trend");
  if (!src || !el || !window.echarts) { return; }
  var data = JSON.parse(src.textContent);
  if (!data || !data.periods || !data.periods.length) { el.hidden = true; return; }
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var series = [{ name: data.score_label, type: "line", yAxisIndex: 0, data: data.score, symbolSize: 8 }];
  data.series.forEach(function (s) {
    series.push({ name: s.name + (s.unit === "%" ? "（%）" : "（倍）"), type: "line", yAxisIndex: s.unit === "%" ? 0 : 1,
                  data: s.data, connectNulls: false, lineStyle: { type: s.unit === "%" ? "solid" : "dashed" } });
  });
  chart.setOption({
    animation: false,
    color: ["#0d6efd", "#198754", "#6f42c1", "#d63384", "#fd7e14"],
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 8, right: 16, top: 16, bottom: narrow ? 72 : 48, containLabel: true },
    xAxis: { type: "category", data: data.periods,
             axisLabel: { interval: narrow ? "auto" : 0, hideOverlap: true, fontSize: narrow ? 10 : 12,
                          formatter: function (v) { return String(v).replace("年", "年\n"); } } },
    yAxis: [{ type: "value", min: 0, max: 100 }, { type: "value", min: 0, splitLine: { show: false } }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
