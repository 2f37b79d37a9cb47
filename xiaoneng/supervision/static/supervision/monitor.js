// The live monitor's charts (ECharts). Data from the JSON endpoint named in #monitor-charts[data-url];
// no inline script anywhere (CSP). The panel above refreshes itself with htmx (hx-trigger="every 30s").
(function () {
  "use strict";
  var box = document.getElementById("monitor-charts");
  if (!box || !window.echarts) { return; }
  var charts = [];
  function make(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  var palette = ["#0b5ed7", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#d63384", "#6c757d", "#0dcaf0", "#b02a37"];
  function draw(data) {
    var ontime = make("chart-ontime");
    if (ontime) {
      ontime.setOption({
        color: palette,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 40, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.ontime.months },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: data.ontime.series.map(function (s, i) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, smooth: true,
                   lineStyle: { width: i === 0 ? 3 : 1.5 }, symbolSize: i === 0 ? 6 : 3 };
        })
      });
    }
    var items = make("chart-items");
    if (items) {
      items.setOption({
        color: ["#0b5ed7"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: "value", name: "工作日", nameLocation: "middle", nameGap: 24 },
        yAxis: { type: "category", data: data.items.map(function (d) { return d.name; }),
                 axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ type: "bar", data: data.items.map(function (d) { return d.avg; }), label: { show: true, position: "right" } }]
      });
    }
    var rules = make("chart-rules");
    if (rules) {
      var names = data.rules.map(function (d) { return d.name; });
      function series(key, name, color) {
        return { name: name, type: "bar", stack: "n", itemStyle: { color: color },
                 data: data.rules.map(function (d) { return d[key]; }) };
      }
      rules.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0 },
        grid: { left: 8, right: 24, top: 8, bottom: 40, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: names, axisLabel: { width: 160, overflow: "truncate" } },
        series: [series("reminder", "预警提醒", "#0b5ed7"), series("yellow", "黄牌", "#ffc107"), series("red", "红牌", "#b02a37")]
      });
    }
    box.setAttribute("data-ready", "1");
  }
  fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function () { box.setAttribute("data-error", "1"); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
