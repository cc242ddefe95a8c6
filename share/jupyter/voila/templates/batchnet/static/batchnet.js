// batchnet's page script in Voila (docs/deploy.md). Loaded in <head>, before Voila's own scripts.
//
// - The address follows the state: the app keeps its state's link in `a.bn-address`; each new
//   link replaces the address in place (no history entry per move), so a reload or a shared
//   address reopens exactly what is on screen.
// - A visible alert (role="alert") when the page's kernel or the server goes away, when the server
//   no longer knows the visitor's sign-in, or when the page arrived without its app (the template
//   marks a code cell that came without its output) or ipywidgets could not show one of its outputs,
//   with a reload that restores the state from the address.
// - An upload larger than the app accepts is refused here, before it travels: a file of several MB
//   would otherwise drop the websocket (tornado refuses messages over 10 MB).
// - A dark page's links to the other pages open them dark too.
// - A page left before Voila's front end has booted gives its kernel back (Voila's own beacon comes later).
// - The first screen: an app's picture (batchnet_core/ui/first_screen.py), in the page as the server sent
//   it, has its heat maps drawn here by the app's own drawing code (the kernel sends it as a script that
//   sets `window.batchnetDrawing`), and gives way to the live app in one
//   frame once Voila's front end has drawn it beside the picture (as many widgets, every heat map drawn),
//   and in any case soon after its widgets arrive: a page is never left on its picture.
// - Presenter mode (`?present=1`, the one value the server and the pages accept): large type, the
//   settings folded into one strip, the worksheet on one screen of a projector (batchnet.css). A
//   button enters and leaves it, the address follows, and the links to the other pages keep it.
(() => {
  "use strict";
  const KERNEL_SOCKET = /\/api\/kernels\/[^/]+\/channels/;
  const RECONNECT_GRACE_MS = 4000; // a network blip reconnects within this; a lost server does not
  const MAX_UPLOAD_BYTES = 100000; // batchnet_core.ui.share.MAX_UPLOAD_BYTES

  let leaving = false;
  let kernelSocketStarted = false;  // Voila's front end has begun to connect to the page's kernel
  window.addEventListener("beforeunload", () => { leaving = true; });

  // A visitor may read the first screen and leave before Voila's front end has booted; Voila's own beacon,
  // which gives the page's kernel back as it unloads, is set up with the widget manager, just before it
  // connects to the kernel. Until then, this (a second beacon would race Voila's connection to the kernel).
  window.addEventListener("beforeunload", () => {
    if (kernelSocketStarted || window.jupyterapp?.widgetManager) return;  // Voila's beacon goes
    let config = null;
    try {
      config = JSON.parse(document.getElementById("jupyter-config-data")?.textContent ?? "null");
    } catch (error) {
      return;
    }
    if (!config?.kernelId) return;  // a page without a kernel (the start page)
    const data = new FormData();
    data.append("_xsrf", document.cookie.match(/\b_xsrf=([^;]*)\b/)?.[1] ?? "");
    navigator.sendBeacon(`${config.baseUrl}voila/api/shutdown/${config.kernelId}`, data);
  });

  // -- alert --------------------------------------------------------------------------------

  function showAlert(kind, text) {
    let box = document.querySelector(".bn-connection-alert");
    if (!box) {
      box = document.createElement("div");
      box.className = "bn-connection-alert";
      box.setAttribute("role", "alert");
      const message = document.createElement("span");
      message.className = "bn-connection-message";
      const reload = document.createElement("button");
      reload.type = "button";
      reload.className = "bn-reload";
      reload.textContent = "Reload";
      reload.addEventListener("click", () => window.location.reload());
      box.append(message, " ", reload);
      document.body.prepend(box);
    }
    box.dataset.kind = kind;
    box.querySelector(".bn-connection-message").textContent = text;
  }

  function hideAlert(kind) {
    const box = document.querySelector(".bn-connection-alert");
    if (box && box.dataset.kind === kind) box.remove();
  }

  const KERNEL_LOST = "This page's kernel stopped, so the numbers can no longer be recomputed. " +
    "Reload to start again where you were: the address holds the last state the server confirmed.";
  const SERVER_LOST = "The connection to the server was lost. Reload when it is back: " +
    "the address holds the last state the server confirmed.";
  const SIGNED_OUT = "The server no longer knows this page's sign-in (it restarted with another token). " +
    "Reload and sign in again: the address holds the last state the server confirmed.";
  const INCOMPLETE = "This page arrived without its app: its kernel failed, or the server could not finish it in time. " +
    "Reload to try again: the address holds the state to open.";
  const NOT_SHOWN = "Part of this page could not be shown: its controls did not arrive from the server. " +
    "Reload to try again: the address holds the state to open.";
  // An output ipywidgets could not show: its renderer writes this text, and nothing else, in its place.
  const WIDGET_FAILED = "Error displaying widget";
  const givenUp = (output) => output.childElementCount === 0 && output.textContent.startsWith(WIDGET_FAILED);

  // -- the kernel's websocket ---------------------------------------------------------------

  const NativeWebSocket = window.WebSocket;
  const openKernelSockets = new Set();
  let checkTimer = null;

  // Is it the kernel or the server? Ask the server about the kernel: no answer means the server
  // is gone (ask again until it is back); 404 means the server is there but the kernel is not (it
  // died, or the server restarted); 401 or 403 means the server no longer knows the sign-in.
  async function diagnose(kernelUrl) {
    if (leaving || openKernelSockets.size > 0) return;
    let status;
    try {
      status = (await fetch(kernelUrl, {cache: "no-store", credentials: "same-origin"})).status;
    } catch (error) {
      showAlert("server", SERVER_LOST);
      scheduleDiagnosis(kernelUrl); // look again: once the server is back, it says what became of the kernel
      return;
    }
    if (status === 404) showAlert("kernel", KERNEL_LOST);
    else if (status === 401 || status === 403) showAlert("server", SIGNED_OUT);
    else if (openKernelSockets.size === 0) scheduleDiagnosis(kernelUrl); // still reconnecting: look again
  }

  function scheduleDiagnosis(kernelUrl) {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => diagnose(kernelUrl), RECONNECT_GRACE_MS);
  }

  class WatchedWebSocket extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      const match = KERNEL_SOCKET.exec(String(url));
      if (!match) return;
      kernelSocketStarted = true;
      const kernelUrl = String(url).slice(0, match.index).replace(/^ws/, "http") + match[0].replace(/\/channels$/, "");
      this.addEventListener("open", () => { openKernelSockets.add(this); hideAlert("server"); });
      this.addEventListener("close", () => {
        openKernelSockets.delete(this);
        if (!leaving) scheduleDiagnosis(kernelUrl);
      });
    }
  }
  window.WebSocket = WatchedWebSocket;

  // -- the page's own elements --------------------------------------------------------------

  // The live app's link: an app's first picture has one too, and gives way to the app.
  const liveLink = () => [...document.querySelectorAll("a.bn-address")].find((a) => !a.closest(".bn-first-screen"));

  function followAddress() {
    const link = liveLink();
    if (!link) return;
    const wanted = new URL(link.getAttribute("href"), window.location.href);
    const here = new URL(window.location.href);
    for (const kept of ["token", "present"]) {  // the app's link is the state's; these are the visit's
      const value = here.searchParams.get(kept);
      if (value !== null && !wanted.searchParams.has(kept)) wanted.searchParams.set(kept, value);
    }
    if (wanted.search !== here.search) window.history.replaceState(window.history.state, "", wanted.search + here.hash);
  }

  // Watch only the widget that holds the link, once it is there: the rest of the page changes at
  // every slider step. The address is written once the link has settled, not at every step.
  const ADDRESS_SETTLE_MS = 250;
  let addressTimer = null;
  function addressChanged() {
    clearTimeout(addressTimer);
    addressTimer = setTimeout(followAddress, ADDRESS_SETTLE_MS);
  }
  function watchAddress() {
    const link = liveLink();
    if (!link) return false;
    new MutationObserver(addressChanged).observe(link.closest(".widget-html") || link.parentElement,
                                                 {subtree: true, childList: true, attributes: true,
                                                  attributeFilter: ["href"]});
    followAddress();
    return true;
  }
  document.addEventListener("DOMContentLoaded", () => {
    if (window.batchnetIncomplete) showAlert("incomplete", INCOMPLETE);
    watchGivenUp();
    if (watchAddress()) return;
    const finder = new MutationObserver(() => { if (watchAddress()) finder.disconnect(); });
    finder.observe(document.body, {subtree: true, childList: true});
  });

  // -- an output ipywidgets gave up on ------------------------------------------------------

  // ipywidgets 8.1.9 gives an output's widget 2 s to arrive, looking every 100 ms, but looks at its clock before
  // it looks for the widget: when the page was busy for longer (the thousands of widgets of a large state being
  // built), it gives up on a widget that has meanwhile arrived and writes "Error displaying widget: model not
  // found" in its place (docs/deploy.md). Such an output is drawn here once its widget is there; one whose
  // widget never came says so out loud, with a reload.
  const outputWidgets = new Map();  // an output's container → the widget it shows (Voila reads these on load)

  async function drawAgain(output) {
    const id = outputWidgets.get(output.parentElement);
    const manager = window.jupyterapp?.widgetManager;
    if (!id || !manager?.has_model(id)) return false;
    try {
      const view = await manager.create_view(await manager.get_model(id));
      const widget = view.luminoWidget ?? view.pWidget;
      output.textContent = "";
      widget.constructor.attach(widget, output);  // Lumino's Widget.attach, as Voila attaches an output
      return true;
    } catch (error) {
      return false;
    }
  }

  function watchGivenUp() {
    const cells = document.getElementById("rendered_cells");
    if (!cells) return;
    for (const script of cells.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]')) {
      try {
        const id = JSON.parse(script.textContent).data?.["application/vnd.jupyter.widget-view+json"]?.model_id;
        if (typeof id === "string") outputWidgets.set(script.parentElement, id);
      } catch (error) {
        // not an output of a widget
      }
    }
    new MutationObserver((changes) => {
      for (const target of new Set(changes.map((change) => change.target))) {
        if (target.classList?.contains("jp-OutputArea-output") && givenUp(target)) {
          drawAgain(target).then((drawn) => { if (!drawn) showAlert("incomplete", NOT_SHOWN); });
        }
      }
    }).observe(cells, {subtree: true, childList: true});
  }

  // ipywidgets' FileUpload reads its files from an <input type="file"> that is never in the
  // document (the button calls its click()), so the guard attaches to that input when a click on
  // the upload button opens it. At the input itself, a capturing listener runs before the widget's.
  function refuseOversized(event) {
    const input = event.target;
    const tooLarge = [...input.files].find((file) => file.size > MAX_UPLOAD_BYTES);
    if (!tooLarge) return;
    event.stopImmediatePropagation(); // the widget never reads it, so nothing travels
    input.value = ""; // and the same or another file can be chosen next
    // into the status widget's content element, which the widget keeps writing to afterwards
    const status = document.querySelector(".bn-status .widget-html-content");
    if (status) {
      const error = document.createElement("span");
      error.className = "bn-error";
      error.setAttribute("role", "alert");
      error.textContent = `${tooLarge.name} is ${tooLarge.size.toLocaleString("en")} bytes; a state file is at ` +
        `most ${MAX_UPLOAD_BYTES.toLocaleString("en")}. The current state is kept.`;
      status.replaceChildren(error);
    }
  }

  // -- the first screen ---------------------------------------------------------------------

  const FIRST_SCREEN_FRAMES = 60;
  const FIRST_SCREEN_MAX_FRAMES = 600;
  // What drawing.js reads of a drawing's model: the parts the kernel had drawn, which never change here.
  const stillModel = (parts) => ({get: (name) => parts[name], on() {}, off() {}});

  window.batchnetFirstScreen = (picture) => {
    if (!(picture instanceof Element) || !picture.classList.contains("bn-first-screen")) return;
    let maps = 0;
    const stops = [];
    for (const el of picture.querySelectorAll(".bn-first-drawing")) {
      const parts = JSON.parse(el.querySelector("script.bn-first-drawing-data").textContent);
      maps += parts.frame?.panels?.length ?? 0;
      // drawn now, before the page is first painted: nothing in the picture moves as it is drawn
      const stop = window.batchnetDrawing?.render({model: stillModel(parts), el});
      if (stop) stops.push(stop);
    }

    // The live app is drawn when it shows what the picture shows: its heat maps drawn, and as many widgets,
    // each laid out as in the picture (its layout's style, which ipywidgets applies after placing the element)
    // and with its texts; then it takes the picture's place at once. Otherwise, counted in frames from when its
    // widgets arrive: FIRST_SCREEN_FRAMES after its heat maps are drawn (the kernel changed something meanwhile:
    // a message of the class, a widget replaced), FIRST_SCREEN_MAX_FRAMES whatever its state (a drawing that
    // never draws), and at once if ipywidgets could not show it: a page is never left on its picture.
    const parts = (root) => [...root.querySelectorAll(".jupyter-widgets, .widget-html-content")];
    const look = (el) => el.classList.contains("widget-html-content") ? el.textContent : el.style.cssText;
    const wanted = parts(picture).map(look);
    const host = picture.parentElement;
    host.classList.add("bn-first-screen-host");
    const state = (live) => {
      if (givenUp(live)) return "failed";
      if (!live.classList.contains("jupyter-widgets") && !live.querySelector(".jupyter-widgets")) return "loading";
      const heatMaps = live.querySelectorAll("svg.bn-heatmap");
      if (heatMaps.length < maps || ![...heatMaps].every((map) => map.querySelector(".bn-drawn-cell rect[fill]"))) {
        return "drawing";
      }
      const shown = parts(live);
      return shown.length >= wanted.length && wanted.every((want, i) => look(shown[i]) === want) ? "same" : "complete";
    };
    const liveApp = () => [...host.children].find((el) => el !== picture && el.tagName !== "SCRIPT");
    let now = "loading", counting = false, gone = false, arrived = 0, complete = 0;
    const giveWay = () => {
      if (gone) return;
      gone = true;
      watch.disconnect();
      picture.remove();  // in the same task as the live app is shown: one frame, no shift between
      host.classList.remove("bn-first-screen-host");
      for (const stop of stops) stop();
    };
    const countFrame = () => {
      if (gone) return;
      arrived += 1;
      complete = now === "complete" ? complete + 1 : 0;
      if (complete > FIRST_SCREEN_FRAMES || arrived > FIRST_SCREEN_MAX_FRAMES) giveWay();
      else requestAnimationFrame(countFrame);
    };
    const check = () => {
      const live = liveApp();
      now = live ? state(live) : "loading";
      if (now === "same" || now === "failed") giveWay();
      else if (now !== "loading" && !counting) {
        counting = true;
        requestAnimationFrame(countFrame);
      }
    };
    const watch = new MutationObserver(check);
    watch.observe(host, {subtree: true, childList: true, attributes: true, characterData: true});
  };

  // -- presenter mode -----------------------------------------------------------------------

  const PRESENT = "1"; // batchnet_core.convert.PRESENT
  const root = document.documentElement;
  // Set before the page is drawn (this script runs in <head>), so it never shows itself as a laptop page first.
  root.classList.toggle("bn-present", new URLSearchParams(window.location.search).get("present") === PRESENT);
  const presenting = () => root.classList.contains("bn-present");

  // The strip: Present (or Leave presenter mode) and, while presenting, the settings shown or folded.
  function presenterStrip() {
    const strip = document.createElement("div");
    strip.className = "bn-present-strip";
    strip.setAttribute("role", "region");
    strip.setAttribute("aria-label", "Presenter mode");
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "bn-present-toggle";
    const settings = document.createElement("button");
    settings.type = "button";
    settings.className = "bn-present-settings";
    const show = () => {
      toggle.textContent = presenting() ? "Leave presenter mode" : "Present";
      toggle.title = presenting() ? "Back to the page as on a laptop" :
        "Large type, the settings folded away, the worksheet on one screen of a projector";
      settings.hidden = !presenting();
      const open = root.classList.contains("bn-present-open");
      settings.textContent = open ? "Fold the settings away" : "Show the settings";
      settings.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", () => {
      root.classList.toggle("bn-present");
      root.classList.remove("bn-present-open");
      const here = new URL(window.location.href);
      if (presenting()) here.searchParams.set("present", PRESENT);
      else here.searchParams.delete("present");
      window.history.replaceState(window.history.state, "", here.search + here.hash);
      show();
      window.dispatchEvent(new Event("resize")); // widgets that measure themselves measure again
    });
    settings.addEventListener("click", () => {
      root.classList.toggle("bn-present-open");
      show();
    });
    show();
    strip.append(toggle, settings);
    return strip;
  }
  // Inside the cells (Voila moves them into the box that scrolls the page), as soon as they begin (the template
  // calls this there): put in later, it would push the whole page down under the reader's eyes.
  window.batchnetCellsBegin = (cells) => cells.prepend(presenterStrip());

  // -- the theme and presenter mode go along ------------------------------------------------

  // A dark page's links to the series' other pages open them dark too; a presented page's, presented.
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link) return;
    const target = new URL(link.href, window.location.href);
    if (target.origin !== window.location.origin || !target.pathname.includes("/voila/render/")) return;
    if (document.body.classList.contains("theme-dark") && !target.searchParams.has("theme")) {
      target.searchParams.set("theme", "dark");
    }
    if (presenting() && !target.searchParams.has("present")) target.searchParams.set("present", PRESENT);
    if (target.href !== link.href) link.href = target.href;
  }, true);

  let openingUpload = false;
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(".bn-upload")) return;
    openingUpload = true;
    setTimeout(() => { openingUpload = false; });
  }, true);
  const nativeClick = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function click() {
    if (openingUpload && this.type === "file" && !this.batchnetGuarded) {
      this.batchnetGuarded = true;
      this.addEventListener("change", refuseOversized, true);
    }
    return nativeClick.call(this);
  };
})();
