// Dashboard charts (ECharts, served from static/). Data comes from the page's json_script block.
(function () {
  var node = document.getElementById("chart-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var children = document.getElementById("children-chart");
  if (children && data.labels.length) {
    echarts.init(children).setOption({
      tooltip: {trigger: "axis"},
      legend: {data: ["城市社区", "农村社区"]},
      grid: {left: 40, right: 10, bottom: 60, top: 30},
      xAxis: {type: "category", data: data.labels, axisLabel: {rotate: 30}},
      yAxis: {type: "value"},
      series: [
        {name: "城市社区", type: "bar", data: data.urban},
        {name: "农村社区", type: "bar", data: data.rural}
      ]
    });
  }
  var trend = document.getElementById("trend-chart");
  if (trend) {
    var series = Object.keys(data.trend).map(function (key) {
      return {name: key, type: "line", data: data.trend[key]};
    });
    echarts.init(trend).setOption({
      tooltip: {trigger: "axis"},
      grid: {left: 40, right: 10, bottom: 30, top: 20},
      xAxis: {type: "category"},
      yAxis: {type: "value"},
      series: series
    });
  }
})();
