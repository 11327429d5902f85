/* The facility filter: progressive enhancement of the smelters page.
   Without JavaScript every row shows; with it, a search box narrows the facility tables
   (by name, metal, status or country) to the rows that hold every word typed. */
(function () {
  "use strict";
  function init() {
    var slot = document.querySelector(".cmr-filter");
    if (!slot) { return; }
    var tables = Array.prototype.filter.call(document.querySelectorAll("article table"), function (table) {
      var first = table.querySelector("thead th");
      return first && first.textContent.trim() === "Smelter or refiner";
    });
    var rows = [];
    tables.forEach(function (table) {
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        rows.push({ row: row, text: row.textContent.toLowerCase() });
      });
    });
    var label = document.createElement("label");
    label.setAttribute("for", "cmr-filter-input");
    label.textContent = slot.getAttribute("data-label") || "Filter facilities";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "cmr-filter-input";
    input.setAttribute("aria-describedby", "cmr-filter-status");
    input.placeholder = slot.getAttribute("data-hint") || "";
    var status = document.createElement("p");
    status.id = "cmr-filter-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (item) {
        var match = words.every(function (word) { return item.text.indexOf(word) !== -1; });
        item.row.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = words.length ? shown + " of " + rows.length + " facilities shown"
                                        : "All " + rows.length + " facilities shown";
    }
    input.addEventListener("input", apply);
    slot.appendChild(label);
    slot.appendChild(input);
    slot.appendChild(status);
    apply();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
