// The live monitor's charts (ECharts). Data from the JSON endpoint named in #monitor-charts[data-url];
// no inline script anywhere (CSP). The panel above refreshes itself with htmx (hx-trigger="every 30s").
// Each chart answers one question: the county's on-time trend (one department beside it, chosen in a
// selector, never forty lines at once), the departments that lag, the items that take longest (named with
// their department: the same item name exists in several), cards by rule. Names are written above their
// bar, so a phone keeps the whole width for them; the full name is in the tooltip and in the data table
// under each chart (built here with textContent: no markup from data).
(function () {
  "use strict";
  var box = document.getElementById("monitor-charts");
  if (!box || !window.echarts) { return; }
  var charts = [];
  var COUNTY = "#212529", PICK = "#0b5ed7";
  function make(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  // "县市场监督管理局｜食品经营许可证核发（新办）" → keep the start and the end, which tell similar names apart.
  function shorten(text, max) {
    if (text.length <= max) { return text; }
    var tail = Math.min(6, Math.floor(max / 3));
    return text.slice(0, max - tail - 1) + "…" + text.slice(text.length - tail);
  }
  function charsFor(id) {
    var el = document.getElementById(id);
    return Math.max(10, Math.floor(((el && el.clientWidth) || 320) / 13) - 4);
  }
  function pct(v) { return v == null ? "—" : v + "%"; }
  // Tooltips are HTML: every name from the data is escaped.
  function esc(text) { return window.echarts.format.encodeHTML(String(text)); }
  // An invisible bar over the first one, only to write its value at its end.
  function valueLabels(values, fmt) {
    return { type: "bar", data: values, barWidth: 10, barGap: "-100%", silent: true, itemStyle: { color: "transparent" },
             label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } }, tooltip: { show: false } };
  }
  function table(id, head, rows) {
    var holder = document.getElementById(id);
    if (!holder) { return; }
    var t = document.createElement("table");
    t.className = "table table-sm small mb-0";
    var tr = document.createElement("tr");
    head.forEach(function (h) { var th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.appendChild(th); });
    var thead = document.createElement("thead"); thead.appendChild(tr); t.appendChild(thead);
    var tbody = document.createElement("tbody");
    rows.forEach(function (r) {
      var row = document.createElement("tr");
      r.forEach(function (cell) { var td = document.createElement("td"); td.textContent = cell; row.appendChild(td); });
      tbody.appendChild(row);
    });
    if (!rows.length) {
      var empty = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = head.length; td.className = "text-muted"; td.textContent = "暂无数据"; empty.appendChild(td); tbody.appendChild(empty);
    }
    t.appendChild(tbody);
    holder.replaceChildren(t);
  }
  // A horizontal bar chart whose category names sit above their bar (the y axis carries no labels).
  function bars(chart, names, series, opts) {
    var max = charsFor(opts.id);
    // As tall as its rows (a name and a bar each): three bars do not float in a 400 px box, ten do not crowd.
    // Set through the CSSOM, which the CSP allows (no style attribute in the markup).
    var el = document.getElementById(opts.id);
    el.style.height = Math.max(120, names.length * 40 + (opts.legend ? 60 : 24)) + "px";
    chart.resize();
    var tip = opts.tooltip || function (ps) {
      return esc(names[ps[0].dataIndex]) + ps.map(function (p) { return "<br>" + p.marker + esc(p.seriesName) + " " + p.value; }).join("");
    };
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, formatter: tip },
      legend: opts.legend ? { bottom: 0 } : undefined,
      grid: { left: 8, right: 48, top: 16, bottom: opts.legend ? 36 : 8, containLabel: false },
      xAxis: { type: "value", max: opts.max, show: false },
      yAxis: { type: "category", inverse: true, data: names.map(function (_n, i) { return String(i); }),
               axisLabel: { show: false }, axisTick: { show: false }, axisLine: { show: false } },
      series: series.map(function (s, k) {
        return Object.assign({ type: "bar", barWidth: 10, barCategoryGap: "60%" }, s, k === 0 ? {
          label: { show: true, position: [0, -15], color: "#212529", fontSize: 12,
                   formatter: function (p) { return shorten(names[p.dataIndex], max); } }
        } : {});
      })
    });
  }
  function draw(data) {
    // 1. The county's on-time trend, one department beside it.
    var ontime = make("chart-ontime");
    var select = document.getElementById("ontime-dept");
    var depts = data.ontime.departments;
    function drawTrend() {
      var pick = null;
      depts.forEach(function (d) { if (select && d.code === select.value) { pick = d; } });
      var series = [{ name: "全县", type: "line", data: data.ontime.overall, connectNulls: true,
                      lineStyle: { width: 3, color: COUNTY }, itemStyle: { color: COUNTY }, symbolSize: 6 }];
      if (pick) {
        series.push({ name: pick.name, type: "line", data: pick.data, connectNulls: true,
                      lineStyle: { width: 2, color: PICK }, itemStyle: { color: PICK }, symbolSize: 5 });
      }
      if (ontime) {
        ontime.setOption({
          tooltip: { trigger: "axis", confine: true, valueFormatter: pct },
          legend: { bottom: 0, data: series.map(function (s) { return s.name; }) },
          grid: { left: 44, right: 16, top: 16, bottom: 56 },
          xAxis: { type: "category", data: data.ontime.months },
          yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
          series: series
        }, { replaceMerge: ["series"] });
      }
      table("table-ontime", ["月份", "全县"].concat(pick ? [pick.name] : []), data.ontime.months.map(function (m, i) {
        return [m, pct(data.ontime.overall[i])].concat(pick ? [pct(pick.data[i])] : []);
      }));
    }
    if (select) {
      depts.forEach(function (d) {
        var o = document.createElement("option");
        o.value = d.code; o.textContent = d.name + "（" + pct(d.rate) + "，" + d.cases + " 件）";
        select.appendChild(o);
      });
      select.addEventListener("change", drawTrend);
    }
    drawTrend();

    // 2. The departments with the lowest on-time rate over the period.
    var lowest = make("chart-lowest");
    var low = data.lowest;
    if (lowest) {
      bars(lowest, low.map(function (d) { return d.name; }), [
        { data: low.map(function (d) { return d.rate; }), itemStyle: { color: "#b02a37" } },
        valueLabels(low.map(function (d) { return d.rate; }), pct)], {
        id: "chart-lowest", max: 100,
        tooltip: function (ps) { var d = low[ps[0].dataIndex]; return esc(d.name) + "<br>" + pct(d.rate) + "，" + d.cases + " 件"; }
      });
    }
    table("table-lowest", ["部门", "按时办结率", "办结件数"], low.map(function (d) { return [d.name, pct(d.rate), String(d.cases)]; }));

    // 3. The items that take longest, named with their department.
    var items = make("chart-items");
    var its = data.items;
    function itemName(d) { return d.department_short + "｜" + d.name; }
    if (items) {
      bars(items, its.map(itemName), [{ data: its.map(function (d) { return d.avg; }), itemStyle: { color: PICK } },
        valueLabels(its.map(function (d) { return d.avg; }), function (v) { return v + " 日"; })], {
        id: "chart-items",
        tooltip: function (ps) {
          var d = its[ps[0].dataIndex];
          return esc(d.name) + "（" + esc(d.code) + "）<br>" + esc(d.department) + "<br>平均 " + d.avg + " 个工作日，" + d.cases + " 件";
        }
      });
    }
    table("table-items", ["事项", "实施部门", "平均办理工作日", "办结件数"], its.map(function (d) {
      return [d.name + "（" + d.code + "）", d.department, String(d.avg), String(d.cases)];
    }));

    // 4. Cards by rule and level.
    var rules = make("chart-rules");
    var rs = data.rules.slice().reverse();  // most cards first
    if (rules) {
      var level = function (key, name, color) {
        return { name: name, type: "bar", stack: "n", itemStyle: { color: color }, data: rs.map(function (d) { return d[key]; }) };
      };
      bars(rules, rs.map(function (d) { return d.name; }),
        [level("reminder", "预警提醒", "#0b5ed7"), level("yellow", "黄牌", "#ffc107"), level("red", "红牌", "#b02a37")],
        { id: "chart-rules", legend: true });
    }
    table("table-rules", ["规则", "预警提醒", "黄牌", "红牌"], rs.map(function (d) {
      return [d.name, String(d.reminder), String(d.yellow), String(d.red)];
    }));
    box.setAttribute("data-ready", "1");
  }
  fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function () { box.setAttribute("data-error", "1"); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
