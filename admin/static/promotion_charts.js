// Draws every [data-chart] box of the promotion pages from the options the page embeds; a
// click on a bar of a chart with links drills down (like the dashboard's children chart).
(function () {
  var data = JSON.parse(document.getElementById("promotion-chart-data").textContent);
  var all = [];
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var name = box.getAttribute("data-chart");
    var option = data.options[name];
    if (!option) return;
    var rows = (option.yAxis && option.yAxis[0] && option.yAxis[0].data) || [];
    box.style.height = Math.max(220, 60 + 28 * rows.length) + "px";
    var chart = echarts.init(box, null, {locale: "ZH"});
    chart.setOption(option);
    var links = data.links[name];
    if (links) {
      chart.on("click", function (p) {
        var url = links[links.length - 1 - p.dataIndex];  // bars are drawn bottom-up
        if (url) { window.location.href = url; }
      });
    }
    all.push(chart);
    box.setAttribute("data-ready", "1");
  });
  window.addEventListener("resize", function () { all.forEach(function (c) { c.resize(); }); });
})();
