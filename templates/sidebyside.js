// The side-by-side report's behaviour: status filters, n / p between changes, moved units
// linked both ways. No request is made; the page is whole without this script.
(function () {
  "use strict";
  var table = document.getElementById("table");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll(".row"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#controls input[name=status]"));
  var current = -1;

  function isChange(row) {
    var cats = row.getAttribute("data-cats") || "";
    return row.classList.contains("unit") && cats !== "unchanged";
  }

  function applyFilters() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    rows.forEach(function (row) {
      if (!row.classList.contains("unit") && !row.classList.contains("away")) return;
      var cats = (row.getAttribute("data-cats") || "").split(" ");
      var shown = cats.some(function (k) { return on[k] !== false; });
      row.hidden = !shown;
    });
  }

  function flash(row) {
    row.classList.add("flash");
    window.setTimeout(function () { row.classList.remove("flash"); }, 1600);
  }

  function go(row) {
    rows.forEach(function (r) { r.classList.remove("current"); });
    row.classList.add("current");
    row.scrollIntoView({ block: "center" });
    row.focus({ preventScroll: true });
    if (history.replaceState) history.replaceState(null, "", "#" + row.id);
  }

  function step(delta) {
    var changes = rows.filter(function (r) { return !r.hidden && isChange(r); });
    if (!changes.length) return;
    var at = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".row") : null;
    var index = at ? rows.indexOf(at) : current;
    var target = null;
    if (delta > 0) {
      target = changes.find(function (r) { return rows.indexOf(r) > index; }) || null;
    } else {
      for (var i = changes.length - 1; i >= 0; i--) {
        if (rows.indexOf(changes[i]) < index) { target = changes[i]; break; }
      }
    }
    if (!target) return;
    current = rows.indexOf(target);
    go(target);
  }

  boxes.forEach(function (b) { b.addEventListener("change", applyFilters); });
  document.getElementById("next").addEventListener("click", function () { step(1); });
  document.getElementById("prev").addEventListener("click", function () { step(-1); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (e.key === "n" || e.key === "j") { e.preventDefault(); step(1); }
    if (e.key === "p" || e.key === "k") { e.preventDefault(); step(-1); }
  });
  table.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a.jump") : null;
    if (!link) return;
    var partner = document.getElementById(link.getAttribute("data-partner"));
    if (!partner) return;
    e.preventDefault();
    partner.hidden = false;
    current = rows.indexOf(partner);
    go(partner);
    flash(partner);
  });
})();
