// The heat maps, drawn in SVG from what the kernel sends (drawing.py says what each trait holds):
// the kernel formats every number and picks every colour; this only puts them in place.
// A change rewrites the attributes and texts that changed, in the elements already there, so the
// focus stays where it was and the page's other scripts see few mutations.
const SVG = "http://www.w3.org/2000/svg";
const FONT = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Geneva, sans-serif';
let drawings = 0;  // each view's hatch patterns get ids of their own

function svg(name, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.appendChild(element);
  return element;
}

function html(name, attributes = {}, parent = null, text = null) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== null) element.textContent = text;
  if (parent) parent.appendChild(element);
  return element;
}

// Set an attribute only when it changes (most cells keep most of theirs from one step to the next);
// whether it did.
function put(element, key, value) {
  if (value === null) {
    if (!element.hasAttribute(key)) return false;
    element.removeAttribute(key);
  } else {
    if (element.getAttribute(key) === String(value)) return false;
    element.setAttribute(key, value);
  }
  return true;
}

function write(element, text) {
  if (element.textContent === text) return false;
  element.textContent = text;
  return true;
}

// One panel: its figure (the picture and its value tables) and, if its cells explain, their buttons.
function buildPanel(frame, look, id) {
  const figure = html("figure", { class: frame.figure });
  if (frame.style) figure.setAttribute("style", frame.style);
  const picture = svg("svg", {
    class: `bn-heatmap bn-heatmap-${frame.key}`, role: "img", "aria-label": frame.alt,
    width: frame.w, height: frame.h, viewBox: `0 0 ${frame.w} ${frame.h}`, "font-family": FONT,
  }, figure);
  const hatch = `${id}-hatch-${frame.key}`;
  const pattern = svg("pattern", { id: hatch, width: 8, height: 8, patternUnits: "userSpaceOnUse" },
    svg("defs", {}, picture));
  // lines where row + column is a multiple of 8, as the PNG's
  svg("path", { d: "M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2", stroke: look.hatch, "stroke-width": 1 }, pattern);
  const text = (x, y, words, attributes) => svg("text", { x, y, ...attributes }, picture).textContent = words;
  text(frame.left, frame.titleY, frame.title, { "font-size": look.sizes.title, fill: look.text });
  frame.cols.forEach((label, c) => text(frame.left + (c + 0.5) * frame.cell, frame.top - frame.pad, label, {
    "font-size": look.sizes.label, fill: look.muted, "text-anchor": "middle", "dominant-baseline": "text-after-edge",
  }));
  frame.rows.forEach((label, r) => text(frame.left - frame.pad, frame.top + (r + 0.5) * frame.cell, label, {
    "font-size": look.sizes.label, fill: look.muted, "text-anchor": "end", "dominant-baseline": "central",
  }));
  const cells = frame.boxes.map(([top, bottom, left, right]) => {
    const box = { x: left, y: top, width: right - left, height: bottom - top };
    const cell = svg("g", { class: "bn-drawn-cell" }, picture);
    return {
      width: right - left,
      fill: svg("rect", box, cell),
      hatch: svg("rect", { ...box, fill: `url(#${hatch})`, visibility: "hidden" }, cell),
      number: svg("text", { x: (left + right) / 2, y: (top + bottom) / 2, "text-anchor": "middle",
        "dominant-baseline": "central" }, cell),
    };
  });
  const notes = frame.notesAt.map(([y, x]) => svg("text", {
    x, y, "font-size": look.sizes.note, "font-weight": "bold", fill: look.muted, "dominant-baseline": "central",
  }, picture));
  const outlines = svg("g", { fill: "none", stroke: look.highlight, "stroke-width": look.outline }, picture);

  const alternative = html("div", { class: "bn-sr-only" }, figure);
  const tables = {};
  for (const spec of frame.tables) {
    const table = html("table", { class: `bn-values bn-values-${spec.name}` }, alternative);
    if (spec.transposed) table.setAttribute("data-transposed", "");
    html("caption", {}, table, spec.caption);
    const head = html("tr", {}, table);
    html("td", {}, head);
    for (const label of spec.cols) html("th", { scope: "col" }, head, label);
    const entries = spec.rows.map((label) => {
      const row = html("tr", {}, table);
      html("th", { scope: "row" }, row, label);
      return spec.cols.map(() => html("td", {}, row));
    });
    tables[spec.name] = { table, entries };
  }
  const relu = frame.relu ? html("p", { class: "bn-relu-note" }, alternative) : null;

  let layer = null, buttons = [];
  if (frame.buttons) {
    const spec = frame.buttons;
    layer = html("div", { class: `bn-cell-layer ${spec.cls}`, title: "Click a cell to explain it" });
    const place = frame.style && !spec.inside ? `${frame.style};` : "";
    layer.setAttribute("style", `${place}width:${frame.w}px;aspect-ratio:${frame.w} / ${frame.h};`
      + `--w:${spec.w};--h:${spec.h}`);
    buttons = spec.cells.map(([data, left, top, label]) => {
      const button = html("button", { class: "bn-cell", "data-cell": data, "data-label": label }, layer);
      button.style.left = left;
      button.style.top = top;
      return button;
    });
    if (spec.inside) figure.appendChild(layer);
  }
  return { frame, figure, picture, cells, notes, outlines, tables, relu, layer, buttons };
}

// Paint a panel's cells; the cells whose number's text or size changed are added to `resized`.
function paintPicture(panel, sent, look, resized) {
  if (!sent) return;
  const hatched = new Set(sent.z ?? []), pending = new Set(sent.p ?? []), faded = new Set(sent.f ?? []);
  const columns = panel.frame.cols.length, sizes = sent.s ?? {};
  panel.cells.forEach((cell, k) => {
    const colour = sent.c[k], empty = pending.has(k), pale = faded.has(Math.floor(k / columns));
    const marked = hatched.has(k) && !empty && !pale;
    if (empty) {  // not computed yet: the page's own colour in a thin muted border
      put(cell.fill, "fill", "none");
      put(cell.fill, "stroke", look.muted);
    } else {
      put(cell.fill, "fill", pale ? look.faded[colour] : look.lut[colour]);
      put(cell.fill, "stroke", null);
    }
    const box = panel.frame.boxes[k];
    // a border's line lies inside its cell, as the PNG's one-pixel border does
    put(cell.fill, "x", empty ? box[2] + 0.5 : box[2]);
    put(cell.fill, "y", empty ? box[0] + 0.5 : box[0]);
    put(cell.fill, "width", empty ? box[3] - box[2] - 1 : box[3] - box[2]);
    put(cell.fill, "height", empty ? box[1] - box[0] - 1 : box[1] - box[0]);
    put(cell.hatch, "visibility", marked ? "visible" : "hidden");
    let wider = write(cell.number, empty ? "" : sent.t[k]);
    put(cell.number, "fill", pale ? look.fadedInk[colour] : look.darkInk[colour] === "1" ? "#000000" : "#ffffff");
    wider = put(cell.number, "font-weight", marked ? "bold" : null) || wider;
    wider = put(cell.number, "font-size", sizes[k] ?? look.sizes.number) || wider;
    if (wider) resized.add(cell);
  });
  panel.notes.forEach((note, r) => write(note, sent.n?.[r] ?? ""));
}

// A number wider than its cell in the page's font (where it differs from the kernel's) is narrowed to fit.
// Only the cells whose number changed are measured (a measure lays the page out), all at once, after all
// the writes: reading a length between writes would lay the page out again for each cell.
function fitNumbers(resized, margin) {
  const cells = [...resized].filter((cell) => cell.number.isConnected && cell.number.textContent);
  for (const cell of cells) {
    if (cell.number.hasAttribute("textLength")) {
      cell.number.removeAttribute("textLength");
      cell.number.removeAttribute("lengthAdjust");
    }
  }
  const lengths = cells.map((cell) => cell.number.getComputedTextLength());
  cells.forEach((cell, k) => {
    const room = cell.width - 2 * margin;
    if (lengths[k] > room) {
      cell.number.setAttribute("textLength", room);
      cell.number.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  });
}

function paintOutlines(panel, boxes) {
  const wanted = (boxes ?? []).map(([top, left, bottom, right]) => `${left},${top},${right - left},${bottom - top}`);
  const drawn = [...panel.outlines.children].map((rect) => rect.dataset.box);
  if (wanted.join(" ") === drawn.join(" ")) return;
  panel.outlines.replaceChildren(...wanted.map((box) => {
    const [x, y, width, height] = box.split(",");
    const rect = svg("rect", { x, y, width, height });
    rect.dataset.box = box;
    return rect;
  }));
}

function fillTables(panel, sent) {
  for (const [name, { table, entries }] of Object.entries(panel.tables)) {
    const numbers = sent.values?.[name];
    if (!numbers) continue;
    put(table, "data-values", numbers.d);
    entries.forEach((row, r) => row.forEach((entry, c) => write(entry, numbers.w[r][c])));
  }
  if (panel.relu) write(panel.relu, sent.relu?.[panel.frame.key] ?? "");
}

function pressButtons(panel, sent) {
  const blanks = sent.blanks ? new Set(sent.blanks) : null, action = sent.action ?? "explain";
  const chosen = new Set(sent.chosen ?? []);
  for (const button of panel.buttons) {
    const data = button.dataset.cell;
    put(button, "data-action", action);
    put(button, "aria-label", `${button.dataset.label}; ${action}`);
    put(button, "aria-current", blanks === null && chosen.has(data) ? "true" : null);
    put(button, "aria-pressed", blanks === null ? null : String(blanks.has(data)));
    put(button, "data-blank", blanks !== null && blanks.has(data) ? "" : null);
  }
}

function render({ model, el }) {
  const id = `bn-drawing-${++drawings}`;
  let shown = {}, panels = [], look = null, fitting = 0;
  const resized = new Set();  // cells whose number is still to be fitted

  const build = (frame) => {
    look = frame.look;
    panels = frame.panels.map((spec) => buildPanel(spec, look, id));
    const byKey = Object.fromEntries(panels.map((panel) => [panel.frame.key, panel]));
    const parts = [];
    for (const group of frame.groups) {
      const members = group.keys.flatMap((key) => {
        const panel = byKey[key];
        return panel.layer && !panel.frame.buttons.inside ? [panel.figure, panel.layer] : [panel.figure];
      });
      if (group.cls) {
        const box = html("div", { class: group.cls });
        box.append(...members);
        parts.push(box);
      } else {
        parts.push(...members);
      }
    }
    el.replaceChildren(...parts);
  };

  // Measuring lays the page out: at most once a frame, in the frame's own layout, after every message
  // that arrived before it has been drawn (measuring as each one arrives laid the page out for each).
  const fitSoon = () => {
    if (!fitting) fitting = requestAnimationFrame(fit);
  };
  const fit = () => {
    cancelAnimationFrame(fitting);
    fitting = 0;
    if (!el.isConnected) {  // a view is drawn before it is placed in the page: measure once it is there
      fitSoon();
      return;
    }
    // not shown (a hidden tab or output; the view itself is `display: contents`): once it is, `shownWatch`
    if (!panels.some((panel) => panel.picture.getClientRects().length)) return;
    fitNumbers(resized, look.margin);
    resized.clear();
  };
  // The numbers not yet measured are measured once the pictures are shown; all of them when a font arrives.
  const shownWatch = new ResizeObserver(() => { if (resized.size) fit(); });
  const refitAll = () => {
    for (const panel of panels) panel.cells.forEach((cell) => resized.add(cell));
    fit();
  };
  document.fonts?.addEventListener("loadingdone", refitAll);

  let queued = false;
  const update = () => {
    queued = false;
    const now = Object.fromEntries(["frame", "pictures", "outlines", "tables", "buttons"].map((k) => [k, model.get(k)]));
    const rebuilt = now.frame !== shown.frame;
    if (rebuilt) {
      if (!now.frame?.panels) return;
      resized.clear();
      build(now.frame);
      shownWatch.disconnect();
      for (const panel of panels) shownWatch.observe(panel.picture);
    }
    if (rebuilt || now.pictures !== shown.pictures) {
      for (const panel of panels) paintPicture(panel, now.pictures?.[panel.frame.key], look, resized);
      if (resized.size) fitSoon();
    }
    if (rebuilt || now.outlines !== shown.outlines) {
      for (const panel of panels) paintOutlines(panel, now.outlines?.[panel.frame.key]);
    }
    if (rebuilt || now.tables !== shown.tables) for (const panel of panels) fillTables(panel, now.tables ?? {});
    if (rebuilt || now.buttons !== shown.buttons) for (const panel of panels) pressButtons(panel, now.buttons ?? {});
    shown = now;
  };
  // One message may change several parts: draw once, when all of them have arrived.
  const soon = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(update);
    }
  };
  for (const part of ["frame", "pictures", "outlines", "tables", "buttons"]) model.on(`change:${part}`, soon);
  update();
  return () => {
    cancelAnimationFrame(fitting);
    shownWatch.disconnect();
    document.fonts?.removeEventListener("loadingdone", refitAll);
    for (const part of ["frame", "pictures", "outlines", "tables", "buttons"]) model.off(`change:${part}`, soon);
  };
}

export default { render };
