// Keeps the column that names a row (case no., 工号, unit) in view while a wide table scrolls
// sideways: that column is sticky at the box's left edge and covers the checkbox and row
// buttons as they scroll away (on a phone those would otherwise take most of the width).
// Model lists start with a checkbox and the row buttons, so the naming column is the first
// th.column-header; other tables stick their first column.
(function () {
  function stick(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    var cells = Array.prototype.slice.call(head.cells);
    var index = 0;
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].classList.contains("column-header")) { index = i; break; }
    }
    Array.prototype.forEach.call(table.rows, function (row) {
      var cell = row.cells.length === cells.length ? row.cells[index] : null;
      if (cell) { cell.classList.add("sticky-col", "sticky-edge"); }
    });
  }
  function all() {
    document.querySelectorAll(".table-responsive > table").forEach(stick);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
