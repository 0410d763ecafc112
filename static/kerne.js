// Kerne's own JavaScript, kept to what htmx does not do: no word typed on a phone is lost.
// - live fields: save what is typed with the value it started from, retry until the
//   server has it (offline too, across reloads and step changes), show "not saved / saved /
//   conflict"; a field drawn anew never replaces text the server has not acknowledged;
// - new ideas and tasks: what is typed in a box stays on the phone (per visit, step and box)
//   until it is sent; each item sent keeps the id it got when it was typed until the server
//   has it, so a resend is recognised whatever polls came between;
// - text the server refuses for good (locked, closed, no access) stays on the phone, visible
//   with the reason and copyable; a phone that lost its join keeps what waits and sends it
//   once it has joined again (never from another page, never without its join);
// - never show an answer older than what the phone already shows (answers can arrive late
//   and out of order), give up on an answer that does not come, retry with back-off;
// - keep typed text and the caret safe when a poll morphs the page;
// - poll for changes only while the page is visible, fast while the visit is open;
//   count down the step timer;
// - say "swipe to the side" above a table only while it is wider than its frame.
(function () {
  "use strict";

  const LIVE_STORE = "kerne:live:"; // + save URL: a field's unsaved value and the save in flight
  const OUTBOX_STORE = "kerne:out:"; // + edit id: a new idea or task sent, not yet acknowledged
  const BOX_STORE = "kerne:box:"; // + visit:step:box: what is typed in a new-idea or new-task box
  const KEPT_STORE = "kerne:kept:"; // + visit:key: text the server refused for good
  // Co-writing: another phone sees a word within SAVE_DELAY_MS + FAST_POLL_MS + two round trips
  // (bench/live_latency.py measures it; bench/chaos.py for ideas too).
  const SAVE_DELAY_MS = 250;
  const FAST_POLL_MS = 500;
  // No answer or a 5xx: the same request again after 1, 2, 4, 8, 8 … s (± a quarter, so
  // a room of phones coming back does not knock at once).
  const RETRY_MS = 1000;
  const RETRY_MAX_MS = 8000;
  // An answer that has not come by then will not come: try again instead of waiting
  // (polls give up sooner: hx-request on the poller in templates/workshop/_board.html).
  const SAVE_TIMEOUT_MS = 6000;
  // How long typing must pause before a page whose join was lost is read again.
  const TYPING_PAUSE_MS = 1000;
  let messages = {};

  // ---- the phone's own storage -------------------------------------------------
  // localStorage, or memory when the browser refuses it (private mode, full).
  const memory = new Map();

  function load(key) {
    try {
      const raw = localStorage.getItem(key);
      if (raw !== null) return JSON.parse(raw);
    } catch (e) { /* refused or unreadable: memory may hold it */ }
    return memory.has(key) ? memory.get(key) : null;
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
      memory.delete(key);
    } catch (e) {
      if (value === null) memory.delete(key);
      else memory.set(key, value);
    }
  }

  function storedKeys(prefix) {
    const found = new Set();
    try {
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (key && key.startsWith(prefix)) found.add(key);
      }
    } catch (e) { /* refused: memory only */ }
    memory.forEach((_value, key) => { if (key.startsWith(prefix)) found.add(key); });
    return Array.from(found);
  }

  function newEditId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- which visit, and whether this page may send for it ------------------------
  function visitOf(url) {
    const match = /^\/w\/([^/?#]+)\//.exec(url || "");
    return match ? match[1] : null;
  }

  // Text for a visit is sent from that visit's own live page only (the participant's, or the
  // console), where the phone's join goes with it: never from the join page or another visit.
  let joinLost = false;
  let lastTypedAt = 0;

  function sendable(url) {
    const live = document.getElementById("live");
    return Boolean(live) && !joinLost && visitOf(url) === live.dataset.visit;
  }

  // The join cookie is gone (cleared, expired): everything waits on the phone, and the visit's
  // page says how to join again and shows what waits.
  // The page is read again once typing pauses: every keystroke until then is kept on the phone
  // (and shown after the reload), where a reload mid-word would drop the letters typed while it ran.
  function lostJoin() {
    if (joinLost) return;
    joinLost = true;
    reloadWhenTypingPauses();
  }

  function reloadWhenTypingPauses() {
    const quiet = Date.now() - lastTypedAt;
    if (quiet < TYPING_PAUSE_MS) {
      setTimeout(reloadWhenTypingPauses, TYPING_PAUSE_MS - quiet);
      return;
    }
    // From here a key pressed is not shown at all, rather than shown and then gone with the old page.
    document.querySelectorAll("textarea, input").forEach((field) => { field.readOnly = true; });
    location.reload();
  }

  // ---- requests ---------------------------------------------------------------
  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  }

  function fetchWithTimeout(url, options, ms) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    return fetch(url, { ...options, signal: controller.signal }).finally(() => clearTimeout(timer));
  }

  // A lost session (cookies cleared, server secret rotated) fails the CSRF check:
  // read the page again for a fresh token, once per save.
  async function refreshToken() {
    try {
      const response = await fetchWithTimeout(location.href, { credentials: "same-origin" }, SAVE_TIMEOUT_MS);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const headers = doc.body && doc.body.getAttribute("hx-headers");
      if (!headers) return false;
      document.body.setAttribute("hx-headers", headers);
      return true;
    } catch (e) {
      return false;
    }
  }

  // The answer to a POST, or status 0 when none came (offline, dropped, timed out).
  async function post(url, fields) {
    try {
      const response = await fetchWithTimeout(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        body: new URLSearchParams(fields),
        credentials: "same-origin",
      }, SAVE_TIMEOUT_MS);
      return { status: response.status, html: await response.text() };
    } catch (e) {
      return { status: 0, html: "" };
    }
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function errorMessage(html) {
    const node = parse(html).querySelector("[data-error-message], .error");
    return node ? node.textContent.trim() : "";
  }

  // What an answer means for text sent: ok; retry (no answer, 5xx: the same request later);
  // token (the session was lost: a fresh CSRF token, then again); join (the phone's join is gone);
  // invalid (422: shown beside the field); refused (for good, with the reason).
  function verdict(answer, sent) {
    if (answer.status === 0 || answer.status >= 500 || answer.status === 408 || answer.status === 429) return "retry";
    if (answer.status < 300) return "ok";
    if (answer.status === 400 && !sent.tokenRefreshed) return "token";
    if (answer.status === 403 && parse(answer.html).querySelector("[data-not-joined]")) return "join";
    if (answer.status === 422) return "invalid";
    return "refused";
  }

  function backoff(tries) {
    return Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** Math.max(tries - 1, 0)) * (0.75 + Math.random() / 2);
  }

  // ---- answers in order --------------------------------------------------------
  function shownVersion() {
    const live = document.getElementById("live");
    return live ? Number(live.dataset.version || 0) : 0;
  }

  function versionOf(html) {
    const match = /<section[^>]*\bid="live"[^>]*\bdata-version="(\d+)"/.exec(html) ||
                  /<section[^>]*\bdata-version="(\d+)"[^>]*\bid="live"/.exec(html);
    return match ? Number(match[1]) : null;
  }

  function older(html) {
    const version = versionOf(html);
    return version !== null && version < shownVersion();
  }

  // An answer's live block, unless the phone shows a newer one: then the next poll brings the room.
  function showAnswer(answer) {
    if (answer.status === 200 && !older(answer.html)) morphLive(answer.html);
    else refreshLive();
  }

  // ---- live fields -----------------------------------------------------------
  // One queue entry per field (keyed by its save URL) holds the latest unsaved
  // value, the value it started from (base) and an id that makes a resend harmless.
  // A save sent but not answered stays in ``unanswered`` and is sent again, as it
  // was, before anything typed after it: so a late original is recognised by its id
  // and the newer text never races the older one.
  const queue = new Map();
  const unanswered = new Map();
  const inFlight = new Set();
  const timers = new Map();

  function fieldFor(url) {
    return document.querySelector(`[data-live][data-save-url="${CSS.escape(url)}"]`);
  }

  function showState(url, text, kind) {
    const field = fieldFor(url);
    const state = field && document.getElementById(field.id + "-state");
    if (state) {
      state.textContent = text;
      state.dataset.kind = kind || "";
    }
  }

  function labelOf(element) {
    const label = element && element.labels && element.labels[0];
    return label ? label.textContent.trim() : "";
  }

  function persist(url) {
    const entry = queue.get(url);
    const sent = unanswered.get(url);
    store(LIVE_STORE + url, entry || sent ? { entry: entry || null, sent: sent || null } : null);
  }

  function remember(url, entry) {
    queue.set(url, entry);
    persist(url);
  }

  function pending(url) {
    return queue.has(url) || unanswered.has(url) || inFlight.has(url);
  }

  function latest(url) {
    return queue.get(url) || unanswered.get(url);
  }

  function edited(field) {
    const url = field.dataset.saveUrl;
    // A field with unsaved text is never morphed, so data-base still holds the value it started from.
    remember(url, { value: field.value, base: field.dataset.base, editId: newEditId(), label: labelOf(field) });
    showState(url, messages.unsaved, "unsaved");
  }

  function schedule(url, delay) {
    clearTimeout(timers.get(url));
    timers.set(url, setTimeout(() => flush(url), delay));
  }

  function retryLater(url, entry) {
    entry.tries = (entry.tries || 0) + 1;
    persist(url);
    showState(url, messages.offline, "offline");
    schedule(url, backoff(entry.tries));
  }

  function responseHasConflict(html, field) {
    if (!field) return false;
    const wrap = parse(html).getElementById(field.id + "-wrap");
    return Boolean(wrap && wrap.querySelector(".conflict"));
  }

  async function flush(url) {
    if (inFlight.has(url) || !sendable(url)) return;
    const entry = unanswered.get(url) || queue.get(url);
    if (!entry) return;
    unanswered.set(url, entry);
    persist(url);
    inFlight.add(url);
    showState(url, messages.saving, "saving");
    const answer = await post(url, { value: entry.value, base: entry.base, edit_id: entry.editId });
    inFlight.delete(url);
    const what = verdict(answer, entry);
    if (what === "retry") {
      retryLater(url, entry);
      return;
    }
    if (what === "token") {
      if (await refreshToken()) {
        entry.tokenRefreshed = true;
        schedule(url, 0);
      } else {
        retryLater(url, entry);
      }
      return;
    }
    if (what === "join") {
      lostJoin();
      return;
    }
    unanswered.delete(url);
    persist(url);
    const field = fieldFor(url);
    const next = queue.get(url);
    const newer = next && next.editId !== entry.editId;
    if (what === "ok") {
      const conflict = responseHasConflict(answer.html, field);
      if (newer) {
        // Typed on while this save travelled: the next save starts from what the
        // server now holds of ours, unless it could not take it (a conflict).
        next.base = conflict ? entry.base : entry.value;
        remember(url, next);
        if (field) field.dataset.base = next.base;
        schedule(url, 0);
      } else {
        queue.delete(url);
        persist(url);
        if (field) field.dataset.base = entry.value;
        showState(url, conflict ? messages.conflict : messages.saved, conflict ? "conflict" : "saved");
      }
      // Polls passed the field by while it was saving; an answer that is not shown (204, or
      // older than what a poll brought since) would leave it as typed, not as the room has it.
      showAnswer(answer);
      return;
    }
    if (what === "invalid") {
      morphLive(answer.html);
      showState(url, messages.rejected, "error");
      return;
    }
    // Refused for good (the visit closed, the wording was locked, no access): the
    // text leaves the field, which follows the room again, but stays on the phone.
    const reason = errorMessage(answer.html) || messages.rejected;
    keep(visitOf(url), (next || entry).value, reason, entry.label || labelOf(field));
    queue.delete(url);
    persist(url);
    showState(url, messages.kept, "error");
    toast(reason);
    refreshLive();
  }

  // A field drawn anew (the step changed and came back, the page was reloaded) shows what the
  // phone holds for it, not the room's text without it: it is saved on from there.
  function applyPending() {
    document.querySelectorAll("[data-live]").forEach((field) => {
      const url = field.dataset.saveUrl;
      const entry = latest(url);
      if (!entry) return;
      if (field.value !== entry.value) field.value = entry.value;
      field.dataset.base = entry.base;
      const state = document.getElementById(field.id + "-state");
      if (state && !state.textContent) showState(url, messages.unsaved, "unsaved"); // drawn anew: say so
    });
  }

  function restorePending() {
    storedKeys(LIVE_STORE).forEach((key) => {
      const url = key.slice(LIVE_STORE.length);
      const stored = load(key);
      if (!stored || (!stored.entry && !stored.sent)) {
        store(key, null);
        return;
      }
      if (stored.sent) unanswered.set(url, stored.sent);
      queue.set(url, stored.entry || stored.sent);
      schedule(url, 0);
    });
  }

  document.addEventListener("input", (event) => {
    lastTypedAt = Date.now();
    const field = event.target.closest && event.target.closest("[data-live]");
    if (field) {
      edited(field);
      schedule(field.dataset.saveUrl, SAVE_DELAY_MS);
      return;
    }
    const form = event.target.form;
    if (form && form.matches("[data-box]")) typedInBox(form);
  });
  document.addEventListener("change", (event) => {
    const field = event.target.closest && event.target.closest("[data-live]");
    if (field && (field.tagName === "SELECT" || field.type === "date")) {
      edited(field);
      schedule(field.dataset.saveUrl, 0);
    } else if (event.target.form && event.target.form.matches("[data-box]")) {
      typedInBox(event.target.form);
    }
  });
  document.addEventListener("focusout", (event) => {
    const field = event.target.closest && event.target.closest("[data-live]");
    if (field && queue.has(field.dataset.saveUrl)) schedule(field.dataset.saveUrl, 0);
  });

  // ---- new ideas and tasks: the box, and the outbox ------------------------------
  // What is typed in a box is stored as it is typed, with the id the item will be sent
  // with. Sent, it moves to the outbox (listed under its box) and is sent again, with that
  // id, until the server answers: one at a time, oldest first, whatever step is shown.
  const outbox = new Map();
  let sending = null;
  let outboxTimer = null;

  function typedFields(form) {
    return Array.from(form.elements).filter((element) => element.name &&
      element.matches("textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button])"));
  }

  function boxText(values, form) {
    return typedFields(form).filter((element) => element.tagName !== "SELECT")
      .map((element) => values[element.name] || "").join(" ").trim();
  }

  function typedInBox(form) {
    const key = BOX_STORE + form.dataset.box;
    const values = Object.fromEntries(typedFields(form).map((element) => [element.name, element.value]));
    if (Object.values(values).every((value) => value === "")) {
      store(key, null);
      return;
    }
    const kept = load(key);
    store(key, { values, text: boxText(values, form), label: labelOf(typedFields(form)[0]),
      id: (kept && kept.id) || newEditId() });
  }

  // A box holds what was typed in it, and nothing else: a redraw for another step keeps the typed
  // field in place (the morph guards), so its text is put back with its own step, here.
  function restoreBoxes() {
    document.querySelectorAll("form[data-box]").forEach((form) => {
      const kept = load(BOX_STORE + form.dataset.box);
      typedFields(form).forEach((input) => {
        const value = kept && input.name in kept.values ? kept.values[input.name] : emptyValue(input);
        if (input.value !== value) input.value = value;
      });
    });
  }

  function emptyValue(input) {
    return input.tagName === "SELECT" ? input.options[0].value : "";
  }

  // The visit closed before a box's text was sent: its step will not return, so the text is
  // shown as not saved, with a copy button.
  function keepBoxesOfEndedVisit() {
    const live = document.getElementById("live");
    if (!live || !live.hasAttribute("data-ended")) return;
    storedKeys(`${BOX_STORE}${live.dataset.visit}:`).forEach((key) => {
      const box = load(key);
      store(key, null);
      if (box && box.text) keep(live.dataset.visit, box.text, messages.closedUnsent, box.label);
    });
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form[data-box]");
    if (!form) return;
    event.preventDefault();
    const key = BOX_STORE + form.dataset.box;
    const kept = load(key);
    const url = form.getAttribute("action");
    const fields = Object.fromEntries(new FormData(form));
    const text = boxText(fields, form);
    // An empty box is sent for the server to say what is missing, unless it was just emptied by a send (a double tap).
    if (!text && Array.from(outbox.values()).some((item) => item.box === form.dataset.box)) return;
    saveItem({
      id: (kept && kept.id) || newEditId(), url, visit: visitOf(url), box: form.dataset.box, fields,
      text, label: labelOf(typedFields(form)[0]), at: Date.now(), tries: 0,
    });
    store(key, null);
    typedFields(form).forEach((element) => { element.value = emptyValue(element); });
    showOutbox();
    pumpOutbox(0);
  });

  function saveItem(item) {
    outbox.set(item.id, item);
    store(OUTBOX_STORE + item.id, item);
  }

  function dropItem(item) {
    outbox.delete(item.id);
    store(OUTBOX_STORE + item.id, null);
  }

  function loadOutbox() {
    storedKeys(OUTBOX_STORE).forEach((key) => {
      const item = load(key);
      if (item && item.id) outbox.set(item.id, item);
    });
  }

  function pumpOutbox(delay) {
    clearTimeout(outboxTimer);
    outboxTimer = setTimeout(sendNext, Math.max(delay, 0));
  }

  async function sendNext() {
    if (sending) return;
    const ready = Array.from(outbox.values()).filter((item) => sendable(item.url)).sort((a, b) => a.at - b.at);
    if (!ready.length) return;
    const now = Date.now();
    const item = ready.find((each) => !each.retryAt || each.retryAt <= now);
    if (!item) {
      pumpOutbox(Math.min(...ready.map((each) => each.retryAt)) - now);
      return;
    }
    sending = item.id;
    showOutbox();
    const answer = await post(item.url, { ...item.fields, edit_id: item.id });
    sending = null;
    let what = verdict(answer, item);
    if (what === "token") {
      item.tokenRefreshed = await refreshToken();
      if (!item.tokenRefreshed) what = "retry";
      saveItem(item); // sent again at once, with the fresh token
    }
    if (what === "retry") {
      item.tries += 1;
      item.retryAt = Date.now() + backoff(item.tries);
      saveItem(item);
    } else if (what === "token") {
      // nothing more: the next turn sends it
    } else if (what === "join") {
      lostJoin();
      return;
    } else if (what === "ok") {
      dropItem(item);
      showAnswer(answer);
    } else if (what === "invalid" && (!item.text || !load(BOX_STORE + item.box))) {
      // Back in its box, with the message beside it (if its step is shown; else when it returns).
      dropItem(item);
      const { step: _step, ...values } = item.fields;
      if (item.text) store(BOX_STORE + item.box, { values, text: item.text, label: item.label, id: item.id });
      morphLive(answer.html);
    } else {
      dropItem(item);
      keep(item.visit, item.text, errorMessage(answer.html) || messages.rejected, item.label);
    }
    showOutbox();
    pumpOutbox(0);
  }

  function showOutbox() {
    document.querySelectorAll("form[data-box]").forEach((form) => {
      const list = form.querySelector("[data-send-state]");
      if (!list) return;
      const items = Array.from(outbox.values()).filter((item) => item.box === form.dataset.box && item.text)
        .sort((a, b) => a.at - b.at);
      list.replaceChildren(...items.map((item) => {
        const line = document.createElement("li");
        const state = document.createElement("span");
        state.className = "outbox-state";
        state.textContent = item.tries && item.id !== sending ? messages.queued : messages.sending;
        const text = document.createElement("span");
        text.className = "outbox-text";
        text.textContent = item.text;
        line.append(state, " ", text);
        return line;
      }));
    });
  }

  // ---- text the server refused: kept on the phone, with the reason -------------
  function keep(visit, value, reason, label) {
    if (!value || !visit) return;
    store(`${KEPT_STORE}${visit}:${newEditId()}`, { value, reason, label, at: Date.now() });
    showKept();
  }

  // On the visit's page without its join, what still waits to be sent is shown too.
  function waiting(visit) {
    const items = [];
    new Set([...queue.keys(), ...unanswered.keys()]).forEach((url) => {
      if (visitOf(url) === visit && latest(url).value) items.push({ value: latest(url).value, label: latest(url).label });
    });
    outbox.forEach((item) => { if (item.visit === visit && item.text) items.push({ value: item.text, label: item.label }); });
    storedKeys(`${BOX_STORE}${visit}:`).forEach((key) => {
      const box = load(key);
      if (box && box.text) items.push({ value: box.text, label: "" });
    });
    return items.map((item) => ({ ...item, key: null, reason: messages.waitingJoin }));
  }

  function showKept() {
    const box = document.querySelector("#kept[data-visit]");
    if (!box) return;
    const visit = box.dataset.visit;
    const kept = storedKeys(`${KEPT_STORE}${visit}:`).map((key) => ({ key, ...load(key) })).sort((a, b) => a.at - b.at);
    const items = kept.concat(document.getElementById("live") ? [] : waiting(visit));
    box.replaceChildren();
    box.hidden = items.length === 0;
    if (!items.length) return;
    const title = document.createElement("h2");
    title.textContent = messages.keptTitle;
    box.append(title);
    items.forEach((item, n) => {
      const card = document.createElement("div");
      card.className = "kept-item";
      const why = document.createElement("p");
      why.className = "kept-reason";
      why.textContent = item.label ? `${item.label}: ${item.reason}` : item.reason;
      const id = `kept-text-${n}`;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = messages.keptText;
      const text = document.createElement("textarea");
      text.id = id;
      text.readOnly = true;
      text.rows = 3;
      text.value = item.value;
      const actions = document.createElement("div");
      actions.className = "actions";
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "button small";
      copy.textContent = messages.copy;
      copy.addEventListener("click", () => copyText(text, copy));
      actions.append(copy);
      if (item.key) { // what waits to be sent cannot be dismissed; refused text can, once copied
        const dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "button small";
        dismiss.textContent = messages.dismiss;
        dismiss.addEventListener("click", () => {
          store(item.key, null);
          showKept();
        });
        actions.append(dismiss);
      }
      card.append(why, label, text, actions);
      box.append(card);
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button[data-copy]");
    if (button) copyText(document.getElementById(button.dataset.copy), button);
  });

  async function copyText(textarea, button) {
    textarea.focus();
    textarea.select();
    try {
      await navigator.clipboard.writeText(textarea.value);
    } catch (e) {
      document.execCommand("copy");
    }
    button.textContent = messages.copied;
  }

  // ---- the live block ------------------------------------------------------------
  // The next poll asks for the whole live block, whatever the phone last saw.
  function refreshLive() {
    const since = document.getElementById("live-since");
    if (!since) return;
    since.value = "-1";
    poll();
  }

  function morphLive(html) {
    const live = document.getElementById("live");
    if (!live || older(html)) return;
    htmx.swap(live, html, { swapStyle: "morph" }, { contextElement: live });
    redrawn();
  }

  // After every swap: what the phone holds goes back where it belongs.
  function redrawn() {
    applyPending();
    restoreBoxes();
    keepBoxesOfEndedVisit();
    showOutbox();
    markConflicts();
  }

  // A field whose author has an open conflict is not "saved": say so beside it.
  function markConflicts() {
    document.querySelectorAll("[data-live]").forEach((field) => {
      const url = field.dataset.saveUrl;
      if (pending(url)) return;
      const wrap = document.getElementById(field.id + "-wrap");
      const state = document.getElementById(field.id + "-state");
      if (!wrap || !state) return;
      const conflict = Boolean(wrap.querySelector("[data-conflict]"));
      if (conflict) showState(url, messages.conflict, "conflict");
      else if (state.dataset.kind === "conflict") showState(url, "", "");
    });
  }

  // ---- morphing without losing what is being typed --------------------------
  const carets = new WeakMap();

  function typedButNotSent(node) {
    if (node.matches("[data-live]")) return pending(node.dataset.saveUrl);
    if (node.matches("textarea, input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio])")) {
      return node.value !== node.defaultValue;
    }
    if (node.matches("select")) return Array.from(node.options).some((o) => o.selected !== o.defaultSelected);
    return false;
  }

  function mapCaret(before, after, position) {
    let prefix = 0;
    while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
    let suffix = 0;
    while (suffix < before.length - prefix && suffix < after.length - prefix &&
           before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
    if (position <= prefix) return position;
    if (position >= before.length - suffix) return position + after.length - before.length;
    return after.length - suffix;
  }

  function installMorphGuards() {
    const callbacks = Idiomorph.defaults.callbacks;
    callbacks.beforeNodeMorphed = (oldNode, newNode) => {
      if (!(oldNode instanceof HTMLElement)) return true;
      if (oldNode.matches("[data-save-state], [data-send-state]")) return false;
      if (typedButNotSent(oldNode)) return false;
      if (oldNode === document.activeElement && "selectionStart" in oldNode && oldNode.value !== newNode.value) {
        try {
          carets.set(oldNode, { value: oldNode.value, start: oldNode.selectionStart, end: oldNode.selectionEnd });
        } catch (e) { /* inputs without a caret (date) */ }
      }
      return true;
    };
    callbacks.afterNodeMorphed = (oldNode) => {
      const caret = carets.get(oldNode);
      if (!caret) return;
      carets.delete(oldNode);
      oldNode.setSelectionRange(mapCaret(caret.value, oldNode.value, caret.start), mapCaret(caret.value, oldNode.value, caret.end));
    };
    // An open <details> (history, suggestions, name) stays open across polls.
    callbacks.beforeAttributeUpdated = (name, element, kind) =>
      !(name === "open" && element.tagName === "DETAILS" && kind === "remove");
  }

  document.addEventListener("htmx:sendError", (event) => {
    if (event.detail.elt.matches("[data-poll]")) connection(false);
  });

  document.addEventListener("htmx:timeout", (event) => {
    if (event.detail.elt.matches("[data-poll]")) connection(false);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt.matches("[data-poll]") && event.detail.successful) connection(true);
  });

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 403 && parse(xhr.responseText).querySelector("[data-not-joined]")) {
      lostJoin();
      return;
    }
    if (event.detail.elt.matches("[data-poll]")) {
      connection(false);
      return;
    }
    toast(errorMessage(xhr.responseText) || messages.rejected);
  });

  // Never replace what is shown with an answer older than it (a poll or a click that came late).
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "live" && event.detail.shouldSwap && older(event.detail.serverResponse || "")) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:afterSwap", redrawn);

  // ---- polling, connection and messages ------------------------------------
  function poll() {
    const poller = document.querySelector("[data-poll]");
    const live = document.getElementById("live");
    if (!poller || !live || live.hasAttribute("data-ended") || document.visibilityState !== "visible") return;
    htmx.trigger(poller, "kerne:poll");
  }

  // Every ~2 s, and every FAST_POLL_MS while the visit is open.
  function pollLoop(every) {
    poll();
    setTimeout(() => pollLoop(every), pollEvery(every));
  }

  function pollEvery(every) {
    const live = document.getElementById("live");
    return live && live.hasAttribute("data-fast-poll") ? Math.min(FAST_POLL_MS, every) : every;
  }

  // A poll answered after polls that were not: the network is back, so is everything waiting.
  let connected = true;

  function connection(ok) {
    if (ok && !connected) retryEverything();
    connected = ok;
    const banner = document.getElementById("connection");
    if (!banner) return;
    banner.textContent = ok ? "" : messages.pollOffline;
    banner.hidden = ok;
  }

  let toastTimer;
  function toast(text) {
    const box = document.getElementById("toast");
    if (!box || !text) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  function tickTimers() {
    document.querySelectorAll("time[data-ends-at]").forEach((time) => {
      const left = Math.round((Date.parse(time.dataset.endsAt) - Date.now()) / 1000);
      const abs = Math.abs(left);
      const clock = `${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, "0")}`;
      time.textContent = `${clock} ${left >= 0 ? messages.left : messages.over}`;
      time.classList.toggle("over", left < 0);
    });
  }

  function retryEverything() {
    new Set([...queue.keys(), ...unanswered.keys()]).forEach((url) => schedule(url, 0));
    outbox.forEach((item) => { item.retryAt = 0; });
    pumpOutbox(0);
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    messages = JSON.parse(document.getElementById("kerne-messages").textContent);
    htmx.config.timeout = SAVE_TIMEOUT_MS;
    installMorphGuards();
    restorePending();
    loadOutbox();
    redrawn();
    showKept();
    pumpOutbox(0);
    const poller = document.querySelector("[data-poll]");
    const every = Number((poller && poller.dataset.pollMs) || 2000);
    setTimeout(() => pollLoop(every), pollEvery(every)); // a phone that just joined or reloaded is no slower
    setInterval(tickTimers, 1000);
    tickTimers();
    document.addEventListener("visibilitychange", poll);
    window.addEventListener("online", retryEverything);
  });
  document.addEventListener("htmx:afterSettle", () => {
    tickTimers();
    markConflicts();
    markWideTables();
  });

  // A frame's hint ("Stryg til siden …", the element just before it) shows only while its table is wider than
  // the frame: measured when the page is drawn, when a "Vis som tabel" opens, and when the window changes size.
  function markWideTables() {
    document.querySelectorAll(".table-wrap").forEach((frame) => {
      const hint = frame.previousElementSibling;
      if (hint && hint.classList.contains("scroll-hint")) {
        hint.hidden = frame.scrollWidth <= frame.clientWidth;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markWideTables);
  document.addEventListener("toggle", markWideTables, true); // a details' toggle does not bubble
  window.addEventListener("resize", markWideTables);
})();
