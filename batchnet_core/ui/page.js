// What ipywidgets cannot do for batchnet's pages, in JupyterLab and Voila alike:
// - tell the kernel the page's theme (light or dark), now and whenever it changes;
// - give every slider handle its description as its accessible name, and named elements theirs;
// - announce what the status line says, politely, once it settles (not at every drag step);
// - tell the kernel which heat map cell was clicked or pressed (a button with data-cell), and keep
//   the keyboard's focus on that cell when the heat map is redrawn;
// - send a step-through's keys while one is on;
// - turn the heat maps' cell buttons off while the class is paused;
// - say, above a box that scrolls sideways, that some of it is out of sight and on which side;
// - start a download the person asked for with one click.
function render({ model, el }) {
  let app = el;  // the app around this widget, once the widget is placed in it
  const live = document.createElement("div");
  live.className = "bn-sr-only bn-announce";
  live.setAttribute("aria-live", "polite");
  el.appendChild(live);

  const reportTheme = () => {
    const theme = document.body.dataset.jpThemeLight === "false" ? "dark" : "light";
    if (model.get("theme") !== theme) {
      model.set("theme", theme);
      model.save_changes();
    }
  };
  const themeWatch = new MutationObserver(reportTheme);
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
  reportTheme();

  const setName = (element, name) => {
    if (element && name && element.getAttribute("aria-label") !== name) element.setAttribute("aria-label", name);
  };
  const nameAll = () => {
    for (const slider of app.querySelectorAll(".widget-slider")) {
      setName(slider.querySelector(".noUi-handle"), slider.querySelector(".widget-label")?.textContent);
    }
    for (const [cls, name] of Object.entries(model.get("names") ?? {})) {
      for (const element of app.getElementsByClassName(cls)) {
        if (Array.isArray(name)) {  // one name for each of its buttons, in order
          element.querySelectorAll("button").forEach((button, i) => setName(button, name[i]));
          continue;
        }
        const target = element.matches("button, input, select, textarea")
          ? element : element.querySelector("button, input, select, textarea") ?? element;
        // "{text}" stands for what the element shows: a spoken name starts with the visible one
        setName(target, String(name).replace("{text}", target.textContent.trim()));
      }
    }
  };

  // What a change must be checked for: the elements that get names. A slider step replaces the
  // heat maps, tables and code, none of which is one; only the status line is read.
  const named = () => [".noUi-handle", ...Object.keys(model.get("names") ?? {}).map((c) => "." + CSS.escape(c))]
    .join(", ");
  let said = "", settle = 0, naming = 0;
  const announce = () => {
    const status = app.querySelector(".bn-status");
    const text = status ? status.textContent.trim() : "";
    if (text === said) return;
    said = text;
    clearTimeout(settle);
    // An error is an alert of its own; anything else is read once the person stops moving.
    if (text && !status.querySelector("[role=alert]")) settle = setTimeout(() => { live.textContent = text; }, 700);
  };
  const follow = (records) => {
    const wanted = named();
    let rename = false, spoken = false;
    for (const record of records) {
      const target = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
      spoken ||= Boolean(target?.closest(".bn-status"));
      if (!rename) {
        for (const node of record.addedNodes) {
          if (node.nodeType === Node.ELEMENT_NODE && (node.matches(wanted) || node.querySelector(wanted))) {
            rename = true;
            break;
          }
        }
      }
      rename ||= Boolean(target?.closest(wanted));  // e.g. a named button's text was rewritten
    }
    if (rename && !naming) naming = requestAnimationFrame(() => { naming = 0; nameAll(); });
    if (spoken) announce();
  };
  // A redrawn heat map replaces its buttons: the one that had the focus gets it back.
  let focused = "";
  const onCell = (event) => {
    const button = event.target.closest?.("button[data-cell]");
    if (!button || !app.contains(button)) return;
    focused = button.dataset.cell;
    model.send({ cell: focused });
  };
  // A cell's spoken name gets its value when it gets the focus: the value is in the value table
  // (so the buttons need not be sent again at every change).
  const onFocus = (event) => {
    const button = event.target.closest?.("button[data-cell]");
    if (!button) return;
    const [name, row, col] = button.dataset.cell.split(",");
    const table = app.querySelector(`table.bn-values-${CSS.escape(name)}`);
    // data-cell names the model's cell; inputs as rows show the table the other way round
    const [r, c] = table?.hasAttribute("data-transposed") ? [col, row] : [row, col];
    const value = table?.rows[Number(r) + 1]?.cells[Number(c) + 1]?.textContent;
    if (value !== undefined) setName(button, `${button.dataset.label} = ${value}; ${button.dataset.action}`);
  };
  const refocus = () => {
    if (!focused || (document.activeElement && document.activeElement !== document.body)) return;
    app.querySelector(`button[data-cell="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  };
  // A download the person asked for with one click (the worksheet): started as it arrives.
  const downloadNow = () => {
    for (const link of app.querySelectorAll("a.bn-download-now")) {
      link.classList.remove("bn-download-now");
      link.click();
    }
  };
  // While the class is paused, a heat map's cells are off like every other control (a redraw makes new ones).
  const holdCells = () => {
    const paused = Boolean(model.get("paused"));
    for (const button of app.querySelectorAll("button[data-cell]")) {
      if (button.disabled !== paused) button.disabled = paused;
    }
  };
  // The boxes that may scroll sideways: a matrix's controls (on a phone, or at size 8) and the code.
  // Each one's parent is marked with the side that has more (bn-more-right, bn-more-left), and
  // style.css writes the cue above the box.
  const SCROLLERS = ".bn-matrix > .widget-gridbox, .bn-code pre";
  const cue = (box) => {
    const hidden = box.scrollWidth - box.clientWidth;
    box.parentElement?.classList.toggle("bn-more-right", hidden > 1 && box.scrollLeft < hidden - 1);
    box.parentElement?.classList.toggle("bn-more-left", hidden > 1 && box.scrollLeft > 1);
  };
  // Measuring a box lays the page out: once a frame, and only the boxes whose content or size changed (all
  // of them when the page's size did, or a font arrived). Each box is watched for its own size too (a
  // neighbour or a class may narrow it), for as long as it is in the page.
  let cueing = 0, cueAll = false;
  const toCue = new Set(), watched = new Set();
  const cueSoon = () => {
    if (!cueing) {
      cueing = requestAnimationFrame(() => {
        cueing = 0;
        for (const box of watched) {
          if (!box.isConnected) {
            sizeWatch.unobserve(box);
            watched.delete(box);
          }
        }
        const boxes = cueAll ? app.querySelectorAll(SCROLLERS) : [...toCue].filter((box) => box.isConnected);
        cueAll = false;
        toCue.clear();
        boxes.forEach(cue);
      });
    }
  };
  const onScroll = (event) => { if (event.target.matches?.(SCROLLERS)) cue(event.target); };
  const sizeWatch = new ResizeObserver((entries) => {
    for (const entry of entries) {
      if (entry.target === app) cueAll = true;
      else toCue.add(entry.target);
    }
    cueSoon();
  });
  const watchBox = (box) => {
    toCue.add(box);
    if (!watched.has(box)) {
      watched.add(box);
      sizeWatch.observe(box);
    }
  };
  const changedScrollers = (records) => {
    for (const record of records) {
      const target = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
      const box = target?.closest(SCROLLERS);
      if (box) toCue.add(box);
      for (const node of record.addedNodes) {  // a box drawn anew, or one with a box inside
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.matches(SCROLLERS)) watchBox(node);
        node.querySelectorAll(SCROLLERS).forEach(watchBox);
      }
    }
    if (toCue.size) cueSoon();
  };
  const fontsArrived = () => { cueAll = true; cueSoon(); };
  document.fonts?.addEventListener("loadingdone", fontsArrived);
  const pageWatch = new MutationObserver((records) => {
    follow(records); refocus(); downloadNow(); holdCells(); changedScrollers(records);
  });

  // A step-through's keys, for a teacher at a projector (a presenter remote sends Page Up/Down),
  // while one is on and the key is not typing into a box or moving a slider.
  const stepKeys = { ArrowRight: "next", PageDown: "next", ArrowLeft: "back", PageUp: "back", p: "play",
    P: "play", Escape: "done" };
  const onKey = (event) => {
    if (!model.get("stepping") || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.closest?.("input, textarea, select, .noUi-handle, [contenteditable]")) return;
    const key = stepKeys[event.key];
    if (!key) return;
    event.preventDefault();
    model.send({ key });
  };
  document.addEventListener("keydown", onKey);
  // A view is rendered before it is placed in the page: watch the app once it is there.
  let placing = 0;
  const watchApp = () => {
    if (!el.isConnected) {
      placing = requestAnimationFrame(watchApp);
      return;
    }
    app = el.closest(".bn-app") ?? el.parentElement;
    app.addEventListener("click", onCell);
    app.addEventListener("focusin", onFocus);
    app.addEventListener("focusout", (event) => {
      if (!event.target.closest?.("button[data-cell]")) return;
      // moving on to anything else forgets the cell; a redraw that removes it does not
      if (event.relatedTarget) focused = "";
    });
    pageWatch.observe(app, { childList: true, subtree: true, characterData: true });
    app.addEventListener("scroll", onScroll, true);  // a box's own scroll does not bubble: caught on its way down
    sizeWatch.observe(app);
    app.querySelectorAll(SCROLLERS).forEach(watchBox);
    said = app.querySelector(".bn-status")?.textContent.trim() ?? "";
    nameAll();
    holdCells();
  };
  watchApp();
  model.on("change:names", nameAll);
  model.on("change:paused", holdCells);

  return () => {
    themeWatch.disconnect();
    pageWatch.disconnect();
    sizeWatch.disconnect();
    app.removeEventListener("scroll", onScroll, true);
    document.fonts?.removeEventListener("loadingdone", fontsArrived);
    app.removeEventListener("click", onCell);
    app.removeEventListener("focusin", onFocus);
    document.removeEventListener("keydown", onKey);
    clearTimeout(settle);
    cancelAnimationFrame(naming);
    cancelAnimationFrame(placing);
    cancelAnimationFrame(cueing);
  };
}

export default { render };
