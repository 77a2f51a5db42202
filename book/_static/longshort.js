/* Long & Short: one GRU step and one LSTM step in the page, in the book's convention (float64, no server).
 *
 *   window.longShort.step(kind, params, x, h, c)
 *     kind   "gru" (PyTorch's convention, z near 1 keeps the old state) or "lstm"
 *     params nested arrays named as in lessons/rnn:
 *              GRU  W_xr W_hr b_r W_xz W_hz b_z W_xn W_hn b_in b_hn
 *              LSTM W_xi W_hi b_i W_xf W_hf b_f W_xg W_hg b_g W_xo W_ho b_o
 *            W_x* of shape (H, I), W_h* (H, H), biases (H,)
 *     x (I,), h (H,), c (H,) (c is ignored for a GRU)
 *   returns GRU {r, z, n, h}, LSTM {i, f, g, o, c, h}, each an array of length H.
 *
 * The same lines as lessons/rnn/gru.py::gru_step and lessons/rnn/lstm.py::lstm_step. The page panels
 * (div.longshort-knobs, div.longshort-model) carry their data as <script type="application/json">, written at
 * build time by lessons/rnn/page_cell.py, and redraw a plotly.js figure on every change of their inputs.
 */
(function () {
  "use strict";

  function sigmoid(a) { return 0.5 * (1 + Math.tanh(0.5 * a)); }  // as lessons.rnn.sigmoid

  function matvec(W, v) {
    return W.map(function (row) {
      var s = 0;
      for (var j = 0; j < row.length; j++) { s += row[j] * v[j]; }
      return s;
    });
  }

  // W_x x + W_h h + b, unit by unit
  function affine(p, k, x, h) {
    var a = matvec(p["W_x" + k], x), b = matvec(p["W_h" + k], h), bias = p["b_" + k];
    return a.map(function (v, u) { return v + b[u] + bias[u]; });
  }

  function gruStep(p, x, h) {
    var r = affine(p, "r", x, h).map(sigmoid);
    var z = affine(p, "z", x, h).map(sigmoid);
    var wx = matvec(p.W_xn, x), wh = matvec(p.W_hn, h);
    var n = wx.map(function (v, u) { return Math.tanh(v + p.b_in[u] + r[u] * (wh[u] + p.b_hn[u])); });
    var hNew = n.map(function (v, u) { return (1 - z[u]) * v + z[u] * h[u]; });
    return { r: r, z: z, n: n, h: hNew };
  }

  function lstmStep(p, x, h, c) {
    var i = affine(p, "i", x, h).map(sigmoid);
    var f = affine(p, "f", x, h).map(sigmoid);
    var g = affine(p, "g", x, h).map(Math.tanh);
    var o = affine(p, "o", x, h).map(sigmoid);
    var cNew = f.map(function (v, u) { return v * c[u] + i[u] * g[u]; });
    var hNew = o.map(function (v, u) { return v * Math.tanh(cNew[u]); });
    return { i: i, f: f, g: g, o: o, c: cNew, h: hNew };
  }

  function step(kind, params, x, h, c) {
    if (kind === "gru") { return gruStep(params, x, h); }
    if (kind === "lstm") { return lstmStep(params, x, h, c); }
    throw new Error("kind must be 'gru' or 'lstm', got " + kind);
  }

  function readJSON(panel) {
    return JSON.parse(panel.querySelector("script[type='application/json']").textContent);
  }

  function timed(panel, draw) {
    var t0 = performance.now();
    draw();
    var ms = performance.now() - t0;
    panel.dataset.redrawMs = ms.toFixed(2);
    api.lastRedrawMs = ms;
  }

  var FONT = { size: 13 };
  // No paper of its own: a panel sits on the page's colour, light or dark (book.css lightens its text in dark mode).
  var CLEAR = "rgba(0,0,0,0)";
  var CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };

  /* ---- panel 1: every knob of a one-input, one-unit cell at once ---- */
  function setupKnobs(panel) {
    var spec = readJSON(panel), plot = panel.querySelector(".longshort-plot");
    var inputs = {};
    panel.querySelectorAll("input[type=range]").forEach(function (el) {
      inputs[el.name] = el;
    });
    function value(name) { return parseFloat(inputs[name].value); }
    function redraw() {
      var p = {};
      spec.params.forEach(function (name) { p[name] = name[0] === "W" ? [[value(name)]] : [value(name)]; });
      var out = step(spec.kind, p, [value("x")], [value("h")], [spec.kind === "lstm" ? value("c") : 0]);
      Object.keys(inputs).forEach(function (name) {
        var shown = panel.querySelector("output[data-for='" + name + "']");
        if (shown) { shown.textContent = value(name).toFixed(2); }
      });
      var bars = spec.bars.map(function (b) {
        return b.key === "h_prev" ? value("h") : b.key === "c_prev" ? value("c") : out[b.key][0];
      });
      var data = [{
        type: "bar", x: spec.bars.map(function (b) { return b.label; }), y: bars,
        marker: { color: spec.bars.map(function (b) { return b.colour; }) },
        text: bars.map(function (v) { return v.toFixed(3); }), textposition: "outside", cliponaxis: false,
        hoverinfo: "x+y"
      }];
      var layout = {
        margin: { l: 40, r: 10, t: 10, b: 40 }, height: 300, font: FONT, showlegend: false,
        paper_bgcolor: CLEAR, plot_bgcolor: CLEAR,
        yaxis: { range: spec.yrange, zeroline: true, fixedrange: true }, xaxis: { fixedrange: true, tickangle: 0 }
      };
      if (plot.data) {  // already drawn: change the bars only (faster than a full react)
        Plotly.restyle(plot, { y: [bars], text: [data[0].text] }, [0]);
      } else {
        Plotly.newPlot(plot, data, layout, CONFIG);
      }
    }
    function timedRedraw() { timed(panel, redraw); }
    Object.values(inputs).forEach(function (el) { el.addEventListener("input", timedRedraw); });
    panel.longShortRedraw = timedRedraw;
    timedRedraw();
  }

  /* ---- panel 2: the trained tiny model over a sequence the reader types ---- */
  function parseSequence(text, letters) {
    var topics = [], breaks = [], pendingBreak = true, bad = [];
    text.toUpperCase().split(/\s+/).join(" ").split("").forEach(function (ch) {
      if (ch === "|") { pendingBreak = true; return; }
      if (ch === " ") { return; }
      var k = letters.indexOf(ch);
      if (k < 0) { bad.push(ch); return; }
      topics.push(k);
      breaks.push(pendingBreak);
      pendingBreak = false;
    });
    return { topics: topics, breaks: breaks, bad: bad };
  }

  function softmax(v) {
    var m = Math.max.apply(null, v), e = v.map(function (a) { return Math.exp(a - m); });
    var s = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (a) { return a / s; });
  }

  function runModel(spec, seq) {
    var H = spec.params["b_" + spec.gate].length, K = spec.letters.length;
    var h = new Array(H).fill(0), c = new Array(H).fill(0), gate = [], prob = [];
    seq.topics.forEach(function (k, t) {
      var x = new Array(K + 1).fill(0);
      x[k] = 1;
      x[K] = seq.breaks[t] ? 1 : 0;
      var out = step(spec.kind, spec.params, x, h, c);
      h = out.h;
      c = out.c || c;
      gate.push(out[spec.gate]);
      var logits = matvec(spec.readout_W, h).map(function (v, j) { return v + spec.readout_b[j]; });
      prob.push(softmax(logits));
    });
    return { gate: gate, prob: prob };
  }

  function transpose(rows, n) {
    var out = [];
    for (var u = 0; u < n; u++) { out.push(rows.map(function (r) { return r[u]; })); }
    return out;
  }

  function setupModel(panel) {
    var spec = readJSON(panel), plot = panel.querySelector(".longshort-plot");
    var input = panel.querySelector("input[type=text]"), note = panel.querySelector(".longshort-note");
    function redraw() {
      var seq = parseSequence(input.value, spec.letters);
      note.textContent = seq.bad.length ? "ignored: " + seq.bad.join(" ") : "";
      if (!seq.topics.length) { return; }
      var res = runModel(spec, seq), H = res.gate[0].length, K = spec.letters.length;
      var ticks = seq.topics.map(function (k, t) { return (seq.breaks[t] ? "|" : "") + spec.letters[k]; });
      var xs = ticks.map(function (_, t) { return t + 1; });
      var units = [];
      for (var u = 0; u < H; u++) { units.push("unit " + (u + 1)); }
      var data = [
        { type: "heatmap", z: transpose(res.gate, H), x: xs, y: units, zmin: 0, zmax: 1,
          colorscale: [[0, spec.colours.off], [1, spec.colours.gate]], xaxis: "x", yaxis: "y",
          colorbar: { len: 0.45, y: 0.78, thickness: 12, title: { text: spec.gate } },
          hovertemplate: spec.gate + " = %{z:.2f}<extra>step %{x}, %{y}</extra>" },
        { type: "heatmap", z: transpose(res.prob, K), x: xs, y: spec.letters, zmin: 0, zmax: 1,
          colorscale: [[0, spec.colours.off], [1, spec.colours.prob]], xaxis: "x2", yaxis: "y2",
          colorbar: { len: 0.45, y: 0.22, thickness: 12, title: { text: "p" } },
          hovertemplate: "p(next = %{y}) = %{z:.2f}<extra>after step %{x}</extra>" }
      ];
      var tickCfg = { tickmode: "array", tickvals: xs, ticktext: ticks, fixedrange: true };
      var layout = {
        height: 420, margin: { l: 60, r: 10, t: 30, b: 40 }, font: FONT, showlegend: false,
        paper_bgcolor: CLEAR, plot_bgcolor: CLEAR,
        grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom" },
        xaxis: tickCfg, xaxis2: tickCfg,
        yaxis: { fixedrange: true, autorange: "reversed" },
        yaxis2: { fixedrange: true, title: { text: "next topic" } },
        annotations: [
          { text: spec.gate_title, x: 0, xref: "paper", y: 1.07, yref: "paper", showarrow: false,
            xanchor: "left", font: FONT },
          { text: "predicted next topic", x: 0, xref: "paper", y: 0.47, yref: "paper", showarrow: false,
            xanchor: "left", font: FONT }
        ]
      };
      Plotly.react(plot, data, layout, CONFIG);
    }
    function timedRedraw() { timed(panel, redraw); }
    input.addEventListener("input", timedRedraw);
    panel.longShortRedraw = timedRedraw;
    timedRedraw();
  }

  function init() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll(".longshort-knobs").forEach(setupKnobs);
    document.querySelectorAll(".longshort-model").forEach(setupModel);
  }

  var api = { step: step, sigmoid: sigmoid, parseSequence: parseSequence, lastRedrawMs: null };
  window.longShort = api;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
