// Survey results charts (ECharts): department scores and the counts per option of each question. The numbers
// come from the page (json_script #survey-chart-data, the same selector answer as the tables under the charts);
// no inline script (CSP). The tables stay the accessible representation; charts are role="img".
(function () {
  "use strict";
  var src = document.getElementById("survey-chart-data");
  if (!src || !window.echarts) { return; }
  var data = JSON.parse(src.textContent);
  var charts = [];
  var el = document.getElementById("chart-scores");
  if (el && data.departments.length) {
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    el.style.height = Math.max(240, 28 * data.departments.length + 60) + "px";
    c.resize();
    c.setOption({
      color: ["#0b5ed7"],
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: data.departments, axisLabel: { width: 170, overflow: "truncate" } },
      series: [{ type: "bar", data: data.scores, label: { show: true, position: "right" } }]
    });
    charts.push(c);
  }
  data.questions.forEach(function (q) {
    var box = document.getElementById("chart-q" + q.id);
    if (!box) { return; }
    box.style.height = Math.max(140, 36 * q.labels.length + 50) + "px";
    var qc = window.echarts.init(box, null, { renderer: "canvas" });
    qc.setOption({
      color: ["#198754"],
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: q.labels, axisLabel: { width: 170, overflow: "truncate" } },
      series: [{ type: "bar", data: q.values, label: { show: true, position: "right" } }]
    });
    charts.push(qc);
  });
  window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
}());
