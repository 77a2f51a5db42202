/* The book's own page behaviour (loaded on every page by book/_ext/book_html.py), for narrow screens:
 *
 * 1. plotly figures whose subplots sit side by side (plotly.subplots.make_subplots with one row) are stacked
 *    one above the other when the column is narrower than PHONE px, and side-by-side sliders are stacked too;
 *    the original layout comes back when the column widens again;
 * 2. on a column narrower than PHONE px, a matplotlib figure is never drawn narrower than the width at which its
 *    smallest text is 10 px (data-legible-width, written by book/_ext/book_html.py for SVG figures; MIN_FIGURE px
 *    for others), nor wider than its natural size: a figure wider than the column scrolls inside its own box.
 *
 * The in-page GRU/LSTM panels (.longshort-panel, book/_static/longshort.js) are left alone.
 */
(function () {
  "use strict";
  const PHONE = 640;
  const MIN_FIGURE = 600;

  function columns(layout) {
    // [axis suffix, x domain] of every x axis, sorted left to right; [] when they are not side by side.
    const axes = Object.keys(layout).filter((k) => /^xaxis\d*$/.test(k) && layout[k] && layout[k].domain);
    const cols = axes.map((k) => [k.slice(5), layout[k].domain]).sort((a, b) => a[1][0] - b[1][0]);
    const rows = new Set(axes.map((k) => JSON.stringify((layout["yaxis" + k.slice(5)] || {}).domain || [0, 1])));
    return cols.length > 1 && rows.size === 1 ? cols : [];
  }

  function stacked(gd, cols) {
    const n = cols.length, gap = 0.33 / n, band = (1 - gap * (n - 1)) / n, lay = gd._bookOriginal;
    const update = { height: n > 1 ? Math.max(lay.height || 450, 340 * n + 160) : lay.height || 450 };
    cols.forEach(([suffix, domain], i) => {
      const top = 1 - i * (band + gap);
      update["xaxis" + suffix + ".domain"] = [0, 1];
      update["yaxis" + suffix + ".domain"] = [top - band, top];
      update["yaxis" + suffix + ".showticklabels"] = true;
      // the subplot title: the paper annotation centred above this column
      const centre = (domain[0] + domain[1]) / 2;
      (lay.annotations || []).forEach((a, j) => {
        if (a.xref === "paper" && a.yref === "paper" && Math.abs(a.x - centre) < 0.02 && a.y >= 0.98) {
          update["annotations[" + j + "].x"] = 0.5;
          update["annotations[" + j + "].y"] = top;
        }
      });
    });
    if (lay.legend && lay.legend.orientation === "h" && lay.legend.yanchor === "bottom") {
      // a legend above the plot wraps to several lines on a phone: make room for it under the title
      update["margin.t"] = ((lay.margin || {}).t || 80) + 50;
      update.height += 50;
    }
    update["title.font.size"] = 13;
    const sliders = lay.sliders || [];
    if (sliders.length > 1) {
      const step = 125;  // px per stacked slider (its label, rail and ticks)
      update.height += step * (sliders.length - 1);
      update["margin.b"] = step * sliders.length + 40;
      const top = update["margin.t"] || (lay.margin || {}).t || 80;
      const plot = update.height - top - update["margin.b"];
      sliders.forEach((s, k) => {
        update["sliders[" + k + "].x"] = 0;
        update["sliders[" + k + "].len"] = 1;
        update["sliders[" + k + "].y"] = -(50 + k * step) / plot;
        update["sliders[" + k + "].yanchor"] = "top";
      });
    }
    return update;
  }

  function original(gd, update) {
    const lay = gd._bookOriginal, back = {};
    Object.keys(update).forEach((path) => {
      let v = lay;
      path.replace(/\[(\d+)\]/g, ".$1").split(".").forEach((p) => { v = v === undefined ? undefined : v[p]; });
      back[path] = v === undefined ? null : v;
    });
    return back;
  }

  function fitFigures() {
    if (!window.Plotly) return;
    document.querySelectorAll(".bd-article .js-plotly-plot").forEach((gd) => {
      if (gd.closest(".longshort-panel") || !gd.layout) return;
      if (!gd._bookOriginal) gd._bookOriginal = JSON.parse(JSON.stringify(gd.layout));
      const cols = columns(gd._bookOriginal);
      if (!cols.length && (gd._bookOriginal.sliders || []).length < 2) return;
      const narrow = gd.clientWidth > 0 && gd.clientWidth < PHONE;
      if (narrow === !!gd._bookStacked) return;
      const update = stacked(gd, cols);
      // the figure's div and its wrapper have a fixed CSS height (plotly's HTML export): they grow with the layout
      const boxes = [gd, gd.parentElement].filter((el) => el && el.style.height);
      boxes.forEach((el) => { if (el._bookHeight === undefined) el._bookHeight = el.style.height; });
      boxes.forEach((el) => { el.style.height = narrow ? update.height + "px" : el._bookHeight; });
      gd._bookStacked = narrow;
      window.Plotly.relayout(gd, narrow ? update : original(gd, update));
    });
  }

  function fitImages() {
    document.querySelectorAll(".bd-article img[src*='_images/']").forEach((img) => {
      const box = img.parentElement;
      const natural = img.naturalWidth || 0;
      if (!box || !natural) return;
      box.classList.add("lessons-figure-box");
      const avail = box.clientWidth;
      const legible = Math.min(natural, parseFloat(img.dataset.legibleWidth) || MIN_FIGURE);
      img.style.width = avail < PHONE && legible > avail ? legible + "px" : "";
      img.style.maxWidth = img.style.width ? "none" : "";
    });
  }

  let timer = null;
  function fit() { fitFigures(); fitImages(); }
  window.addEventListener("load", fit);
  window.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(fit, 150); });
})();
