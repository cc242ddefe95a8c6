// The teacher's page of the class view: draws the server's summary of the class, live.
//
// The server sends the whole summary ({"type": "summary", ...}, the JSON of the API's summary, see
// batchnet_core/classroom/server.py) over one websocket at connect and after every change, so the page
// never polls: each message replaces what the page knows, and render() draws it again.
//
// Every value in a summary comes, in the end, from a student (a name, a typed answer) and is
// treated as hostile: it reaches the page only through textContent, setAttribute and numbers
// checked by count(). Nothing here assigns innerHTML.
"use strict";

(function () {
  const $ = (selector) => document.querySelector(selector);

  // The page is at <base>class; the API lives beside it, wherever batchnet is mounted.
  const BASE = (() => {
    const path = location.pathname;
    const at = path.lastIndexOf("/class");
    return at >= 0 ? path.slice(0, at + 1) : "/";
  })();
  const API = BASE + "class/api/";
  const HIDE_NAMES_KEY = "batchnet.class.hideNames";

  // What the page knows: the last summary, and the teacher's own choices, which survive updates.
  const view = {
    summary: null,
    picked: null, // the exercise key the teacher chose in the select, if any
    auto: null, // the exercise shown while the teacher has chosen none
    attempts: new Map(), // exercise key -> its total typed attempts in the previous summary
    cell: new Map(), // exercise key -> the cell chosen in it
    drawn: "", // the layout of the grids on the page, so an update only repaints their cells
  };

  // ---- small helpers --------------------------------------------------------------------------

  /** A non-negative whole number from anything the server sent (0 when it is not one). */
  function count(value) {
    const n = Number(value);
    return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
  }

  /** A text from anything the server sent; objects and null become "". */
  function text(value) {
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  }

  /** An own-property lookup that a key such as "__proto__" from the server cannot subvert. */
  function own(object, key) {
    return object && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key)
      ? object[key] : undefined;
  }

  /** An element with a class and a text; the text is always set as text. */
  function element(tag, className, content) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // ---- the header: students, connection, pause, hide names ----------------------------------

  function setConnection(state, words) {
    const status = $(".bn-class-connection");
    status.dataset.state = state;
    status.textContent = words;
  }

  function renderHeader(summary) {
    const present = count(own(summary, "students"));
    const students = $(".bn-class-students");
    students.dataset.count = String(present);
    $(".bn-class-students-count").textContent = String(present);
    $(".bn-class-students-word").textContent = present === 1 ? "student present" : "students present";
    setPaused(own(summary, "paused") === true);
  }

  function setPaused(paused) {
    const button = $(".bn-class-pause");
    button.setAttribute("aria-pressed", String(paused));
    button.textContent = paused ? "Resume the class" : "Pause the class";
    document.body.classList.toggle("bn-class-is-paused", paused);
  }

  function hideNames() {
    return $(".bn-class-hide-names").checked;
  }

  function loadHideNames() {
    try {
      $(".bn-class-hide-names").checked = localStorage.getItem(HIDE_NAMES_KEY) === "true";
    } catch (error) {
      // Storage may be off (a private window); the switch then simply starts off.
    }
  }

  function saveHideNames() {
    try {
      localStorage.setItem(HIDE_NAMES_KEY, String(hideNames()));
    } catch (error) {
      // As above: the choice then lasts until the page is reloaded.
    }
  }

  // ---- POSTs to the API -----------------------------------------------------------------------

  /** The _xsrf cookie Tornado set, which a POST made with the teacher's cookie must echo. */
  function xsrfToken() {
    for (const part of document.cookie.split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (name === "_xsrf") return rest.join("=");
    }
    return "";
  }

  /** POST ``body`` as JSON; resolves to {ok, data} (data: the answer's JSON, or {}). */
  async function post(path, body) {
    const response = await fetch(API + path, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-XSRFToken": xsrfToken()},
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      // A 403 has an empty body; the status says enough.
    }
    return {ok: response.ok, status: response.status, data: data && typeof data === "object" ? data : {}};
  }

  function say(selector, words, isError) {
    const message = $(selector);
    message.textContent = words;
    message.classList.toggle("bn-class-error", Boolean(isError));
  }

  function failure(result) {
    const error = text(own(result.data, "error"));
    if (error) return error;
    if (result.status === 403) return "The server refused: open this page again with the teacher's link.";
    return `The server answered ${result.status}.`;
  }

  async function togglePause() {
    const paused = $(".bn-class-pause").getAttribute("aria-pressed") !== "true";
    try {
      const result = await post("pause", {paused});
      if (result.ok) {
        setPaused(own(result.data, "paused") === undefined ? paused : own(result.data, "paused") === true);
        say(".bn-class-pause-message", paused ? "The class is paused." : "The class can work again.", false);
      } else {
        say(".bn-class-pause-message", failure(result), true);
      }
    } catch (error) {
      say(".bn-class-pause-message", "Could not reach the server; try again.", true);
    }
  }

  async function push(event) {
    event.preventDefault();
    const state = $(".bn-class-push-input").value.trim();
    if (!state) {
      say(".bn-class-push-message", "Paste a link of a page, or a state, first.", true);
      return;
    }
    try {
      const result = await post("push", {state});
      if (result.ok) say(".bn-class-push-message", "Sent to the class.", false);
      else say(".bn-class-push-message", failure(result), true);
    } catch (error) {
      say(".bn-class-push-message", "Could not reach the server; try again.", true);
    }
  }

  function renderPushed(summary) {
    const pushed = own(summary, "push");
    const box = $(".bn-class-pushed");
    const state = text(own(pushed, "state"));
    box.hidden = !state;
    if (!state) return;
    const at = Number(own(pushed, "at"));
    $(".bn-class-pushed-at").textContent = Number.isFinite(at) && at > 0
      ? "at " + new Date(at * 1000).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : "";
    $(".bn-class-pushed-state").textContent = state;
  }

  // ---- the roster -----------------------------------------------------------------------------

  /** "03_by_hand.ipynb" -> "03 by hand": short enough for a column, and the page's own name. */
  function pageName(page) {
    return text(page).replace(/\.ipynb$/, "").replace(/_/g, " ");
  }

  function renderRoster(summary) {
    const roster = list(own(summary, "roster"));
    const body = $(".bn-class-roster tbody");
    const hidden = hideNames();
    body.replaceChildren(...roster.map((student, index) => {
      const row = document.createElement("tr");
      const present = own(student, "present") === true;
      row.dataset.present = String(present);
      // The roster's order is the order of arrival, so "Student 3" is stable while names are hidden.
      const name = hidden ? `Student ${index + 1}` : text(own(student, "name")) || `Student ${index + 1}`;
      const nameCell = element("th", "bn-class-name", name);
      nameCell.scope = "row";
      row.append(
        nameCell,
        element("td", "bn-class-page", pageName(own(student, "page"))),
        element("td", "bn-class-present", present ? "● here" : "○ away"),
        element("td", "bn-class-number", String(count(own(student, "answers")))),
        element("td", "bn-class-number", String(count(own(student, "correct")))),
      );
      return row;
    }));
    $(".bn-class-roster-empty").hidden = roster.length > 0;
  }

  // ---- the exercises --------------------------------------------------------------------------

  function exercisesOf(summary) {
    return list(own(summary, "exercises")).filter((e) => text(own(e, "key")));
  }

  function attemptsOf(exercise) {
    let total = 0;
    const cells = own(exercise, "cells");
    for (const key of Object.keys(cells && typeof cells === "object" ? cells : {})) {
      const typed = own(own(cells, key), "typed");
      for (const t of Object.keys(typed && typeof typed === "object" ? typed : {})) total += count(typed[t]);
      total += count(own(own(cells, key), "answers")); // typed keeps only the 12 commonest texts
    }
    return total;
  }

  /** Which exercise to draw: the teacher's choice while it exists; otherwise the one whose answers
   * changed last (the class is working on it), and at first the last in the list. */
  function chooseExercise(exercises) {
    const keys = exercises.map((e) => text(own(e, "key")));
    let changed = null;
    for (const exercise of exercises) {
      const key = text(own(exercise, "key"));
      const attempts = attemptsOf(exercise);
      if (view.attempts.has(key) && view.attempts.get(key) !== attempts) changed = key;
      view.attempts.set(key, attempts);
    }
    if (view.picked && keys.includes(view.picked)) return view.picked;
    view.picked = null;
    if (changed) view.auto = changed;
    if (!view.auto || !keys.includes(view.auto)) view.auto = keys[keys.length - 1] || null;
    return view.auto;
  }

  function renderPick(exercises, chosen) {
    const select = $(".bn-class-pick");
    const wanted = exercises.map((e) => [text(own(e, "key")), text(own(e, "title")) || text(own(e, "key"))]);
    const now = [...select.options].map((o) => [o.value, o.textContent]);
    // Rebuild the options only when they change, so an open select is not closed by every update.
    if (JSON.stringify(wanted) !== JSON.stringify(now)) {
      select.replaceChildren(...wanted.map(([key, title]) => {
        const option = element("option", "", title);
        option.value = key;
        return option;
      }));
    }
    if (chosen !== null) select.value = chosen;
  }

  function cellData(exercise, key) {
    const data = own(own(exercise, "cells"), key);
    return data && typeof data === "object" ? data : {};
  }

  /** Whether a typed text is (as far as the page can tell) the right answer, to mark it in the
   * spread: "-6" is "−6" (the worksheet writes a typographic minus) and "0.33" is "0.3333" (page 06
   * takes two decimals: ROUNDED in gradient_exercises.py); a text that is no number must match
   * exactly ("+" of the ReLU prediction). The verdicts themselves are the server's. */
  function isAnswer(typed, answer) {
    const number = (t) => (/^\s*[-+]?[\d.]+(e[-+]?\d+)?\s*$/i.test(t) ? Number(t) : NaN);
    const a = number(typed.replace(/\u2212/g, "-"));
    const b = number(answer.replace(/\u2212/g, "-"));
    return Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) <= 0.005 : typed.trim() === answer.trim();
  }

  /** The mistake's words as the lessons write them, else its key. */
  function mistakeWords(key) {
    return text(own(own(view.summary, "mistakes"), key)) || key;
  }

  /** A cell's name as a reader says it: "H_z[h1, x2]", or "ReLU(H_z) = 0? h1, x2" for a title
   * that is not a plain matrix name. */
  function cellLabel(matrix, row, col) {
    const title = text(own(matrix, "title")) || text(own(matrix, "name"));
    const rowLabel = text(list(own(matrix, "row_labels"))[row]) || `row ${row + 1}`;
    const colLabel = text(list(own(matrix, "col_labels"))[col]) || `column ${col + 1}`;
    return /^[\w.]+$/.test(title) ? `${title}[${rowLabel}, ${colLabel}]` : `${title} ${rowLabel}, ${colLabel}`;
  }

  function matricesOf(exercise) {
    return list(own(exercise, "matrices")).map((m) => ({
      raw: m,
      name: text(own(m, "name")),
      title: text(own(m, "title")) || text(own(m, "name")),
      rows: Math.min(count(own(m, "rows")), 64),
      cols: Math.min(count(own(m, "cols")), 64),
      asked: new Set(list(own(m, "asked")).map(text)),
    }));
  }

  /** Build the grids of an exercise: one captioned table per matrix, a button per asked cell. */
  function buildGrids(exercise, matrices) {
    const grids = $(".bn-class-grids");
    grids.replaceChildren(...matrices.map((m) => {
      const figure = element("figure", "bn-class-matrix");
      const table = element("table", "bn-class-grid");
      table.append(element("caption", "", m.title));
      const head = document.createElement("thead");
      const headRow = document.createElement("tr");
      headRow.append(element("td", "bn-class-corner"));
      for (let c = 0; c < m.cols; c++) {
        const th = element("th", "", text(list(own(m.raw, "col_labels"))[c]) || String(c + 1));
        th.scope = "col";
        headRow.append(th);
      }
      head.append(headRow);
      const body = document.createElement("tbody");
      for (let r = 0; r < m.rows; r++) {
        const tr = document.createElement("tr");
        const th = element("th", "", text(list(own(m.raw, "row_labels"))[r]) || String(r + 1));
        th.scope = "row";
        tr.append(th);
        for (let c = 0; c < m.cols; c++) {
          const key = `${m.name},${r},${c}`;
          const td = document.createElement("td");
          if (m.asked.has(key)) {
            const button = element("button", "bn-class-cell");
            button.type = "button";
            button.dataset.cell = key;
            button.dataset.label = cellLabel(m.raw, r, c);
            button.setAttribute("aria-pressed", "false");
            button.setAttribute("aria-controls", "bn-class-detail");
            const seen = element("span", "bn-class-count");
            seen.setAttribute("aria-hidden", "true");
            button.append(seen, element("span", "bn-class-said"));
            td.append(button);
          } else {
            // A cell the exercise gives: part of the worksheet's shape, not of the answers.
            td.className = "bn-class-given";
            td.append(element("span", "", "·"));
            td.firstChild.setAttribute("aria-hidden", "true");
          }
          tr.append(td);
        }
        body.append(tr);
      }
      table.append(head, body);
      figure.append(table);
      return figure;
    }));
  }

  /** The hue of a share correct, the page's one colour scale: red (5°) at none, amber (40°) at half,
   * green (130°) at all. Two straight pieces, so that half right reads amber rather than yellow;
   * class.css turns the hue into a tint or a shade with AA contrast for the cell's text. */
  function hueOf(share) {
    return share <= 0.5 ? 5 + 70 * share : 40 + 180 * (share - 0.5);
  }

  /** Repaint the asked cells of the grids on the page with the exercise's numbers. */
  function paintCells(exercise, chosenCell) {
    for (const button of document.querySelectorAll(".bn-class-cell")) {
      const data = cellData(exercise, button.dataset.cell);
      const answers = count(own(data, "answers"));
      const correct = Math.min(count(own(data, "correct")), answers);
      button.dataset.answers = String(answers);
      button.dataset.correct = String(correct);
      // Seen: "2/3"; heard: "H_z[h1, x2]: 2 of 3 correct". Spoken words in the button's own text
      // rather than an aria-label, which would have to contain the visible "2/3".
      button.querySelector(".bn-class-count").textContent = answers ? `${correct}/${answers}` : "–";
      button.querySelector(".bn-class-said").textContent = `${button.dataset.label}: ${
        answers ? `${correct} of ${answers} correct` : "no answers yet"}`;
      if (answers) {
        button.dataset.share = String(correct / answers);
        button.style.setProperty("--hue", String(hueOf(correct / answers)));
      } else {
        delete button.dataset.share;
        button.style.removeProperty("--hue");
      }
      const chosen = button.dataset.cell === chosenCell;
      button.setAttribute("aria-pressed", String(chosen));
    }
  }

  /** The exercise's named mistakes over all its cells, commonest first. */
  function renderCommon(exercise) {
    const totals = new Map();
    let answers = 0;
    const cells = own(exercise, "cells");
    for (const key of Object.keys(cells && typeof cells === "object" ? cells : {})) {
      const data = cellData(exercise, key);
      answers += count(own(data, "answers"));
      const mistakes = own(data, "mistakes");
      for (const name of Object.keys(mistakes && typeof mistakes === "object" ? mistakes : {})) {
        totals.set(name, (totals.get(name) || 0) + count(mistakes[name]));
      }
    }
    const common = [...totals].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, 4);
    const box = $(".bn-class-common");
    box.replaceChildren(...common.map(([name, n]) => element("li", "", `${n} of ${answers} answers: ${mistakeWords(name)}`)));
    if (!common.length) box.append(element("li", "bn-class-muted", "No named mistake yet."));
  }

  /** The chosen cell's right answer, the spread of what was typed, and its named mistakes. */
  function renderDetail(exercise, matrices, chosenCell) {
    const spread = $(".bn-class-spread");
    const mistakesList = $(".bn-class-mistakes");
    const button = chosenCell ? [...document.querySelectorAll(".bn-class-cell")]
      .find((b) => b.dataset.cell === chosenCell) : null;
    spread.dataset.cell = button ? chosenCell : "";
    if (!button) {
      spread.replaceChildren(element("p", "bn-class-hint", "Choose a cell of the grids to see the numbers the class typed."));
      mistakesList.replaceChildren();
      return;
    }
    const data = cellData(exercise, chosenCell);
    const answers = count(own(data, "answers"));
    const correct = Math.min(count(own(data, "correct")), answers);
    const answer = text(own(data, "answer"));
    const parts = [
      element("p", "bn-class-detail-cell", button.dataset.label),
      element("p", "", answers ? `${correct} of ${plural(answers, "student", "students")} right` : "No answers yet."),
    ];
    if (answer) {
      const line = element("p", "bn-class-answer", "Right answer: ");
      line.append(element("strong", "", answer));
      parts.push(line);
    }
    const typed = own(data, "typed");
    const entries = Object.keys(typed && typeof typed === "object" ? typed : {})
      .map((t) => [t, count(typed[t])]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    if (entries.length) {
      const most = entries[0][1];
      const bars = element("ul", "bn-class-bars");
      bars.setAttribute("aria-label", "What was typed, with how many times");
      for (const [typedText, n] of entries) {
        const right = answer !== "" && isAnswer(typedText, answer);
        const item = element("li", right ? "bn-class-right" : "");
        item.append(element("span", "bn-class-typed", typedText));
        const bar = element("span", "bn-class-bar");
        bar.setAttribute("aria-hidden", "true");
        bar.style.setProperty("--width", String(n / most));
        item.append(bar, element("span", "bn-class-times", right ? `${n}× ✓ right` : `${n}×`));
        bars.append(item);
      }
      parts.push(bars);
    }
    spread.replaceChildren(...parts);
    const mistakes = own(data, "mistakes");
    const named = Object.keys(mistakes && typeof mistakes === "object" ? mistakes : {})
      .map((name) => [name, count(mistakes[name])]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    mistakesList.replaceChildren(...named.map(([name, n]) => element("li", "", `${n} of ${answers}: ${mistakeWords(name)}`)));
    if (!named.length) mistakesList.append(element("li", "bn-class-muted", "None named."));
  }

  function renderExercises(summary) {
    const exercises = exercisesOf(summary);
    $(".bn-class-none").hidden = exercises.length > 0;
    $(".bn-class-pick-row").hidden = exercises.length === 0;
    $(".bn-class-board").hidden = exercises.length === 0;
    const key = chooseExercise(exercises);
    renderPick(exercises, key);
    const exercise = exercises.find((e) => text(own(e, "key")) === key);
    const box = $(".bn-class-exercise");
    if (!exercise) {
      box.dataset.exercise = "";
      $(".bn-class-grids").replaceChildren();
      view.drawn = "";
      return;
    }
    box.dataset.exercise = key;
    const matrices = matricesOf(exercise);
    // Rebuild the grids only when their shape changes; otherwise repaint the cells in place, so a
    // cell the teacher focused with the keyboard keeps its focus through the live updates.
    const layout = JSON.stringify([key, own(exercise, "matrices")]);
    if (layout !== view.drawn) {
      buildGrids(exercise, matrices);
      view.drawn = layout;
    }
    const chosenCell = view.cell.get(key) || null;
    paintCells(exercise, chosenCell);
    renderCommon(exercise);
    renderDetail(exercise, matrices, chosenCell);
  }

  function currentExercise() {
    const key = $(".bn-class-exercise").dataset.exercise;
    return exercisesOf(view.summary).find((e) => text(own(e, "key")) === key) || null;
  }

  function chooseCell(cellKey) {
    const exercise = currentExercise();
    if (!exercise) return;
    view.cell.set(text(own(exercise, "key")), cellKey);
    paintCells(exercise, cellKey);
    renderDetail(exercise, matricesOf(exercise), cellKey);
  }

  // ---- the whole page -------------------------------------------------------------------------

  function render() {
    const summary = view.summary;
    if (!summary) return;
    renderHeader(summary);
    renderPushed(summary);
    renderExercises(summary);
    renderRoster(summary);
  }

  // ---- the live connection --------------------------------------------------------------------

  const RETRY_FIRST = 500; // ms; doubled after each failed attempt,
  const RETRY_MOST = 5000; // up to this, so that a restarting server is found again within 5 s
  let retry = RETRY_FIRST;

  function connect() {
    const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + API + "live");
    socket.addEventListener("open", () => {
      retry = RETRY_FIRST;
      setConnection("live", "Live");
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return; // not a summary: ignored, the next one replaces it anyway
      }
      if (!message || message.type !== "summary") return;
      view.summary = message;
      render();
    });
    socket.addEventListener("close", () => {
      // The server restarted or the network dropped: say so, and try again, less often each time.
      setConnection("reconnecting", "Reconnecting…");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, RETRY_MOST);
    });
  }

  function start() {
    loadHideNames();
    $(".bn-class-hide-names").addEventListener("change", () => {
      saveHideNames();
      if (view.summary) renderRoster(view.summary);
    });
    $(".bn-class-pause").addEventListener("click", togglePause);
    $(".bn-class-push-form").addEventListener("submit", push);
    $(".bn-class-pick").addEventListener("change", (event) => {
      view.picked = event.target.value;
      render();
    });
    // One listener for every cell, whichever grid is drawn: buttons answer Enter and Space themselves.
    $(".bn-class-grids").addEventListener("click", (event) => {
      const button = event.target.closest(".bn-class-cell");
      if (!button) return;
      chooseCell(button.dataset.cell);
      // On a phone the details are below every grid: bring them up for a tap. Not for the keyboard
      // (event.detail 0), whose focus stays on the cell and would be scrolled away from.
      const detail = $(".bn-class-detail").getBoundingClientRect();
      if (event.detail > 0 && (detail.top > window.innerHeight || detail.bottom < 0)) {
        $(".bn-class-detail").scrollIntoView({block: "nearest"});
      }
    });
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
