// Kerne's own JavaScript, kept to what htmx does not do:
// - live fields: save what is typed with the value it started from, retry until
//   the server has it (offline too, across reloads), show "not saved / saved / conflict";
//   text the server refuses for good (locked, closed, not joined) stays on the
//   phone, visible with the reason and copyable;
// - never show an answer older than what the phone already shows (answers can
//   arrive late and out of order), and give up on an answer that does not come;
// - keep typed text and the caret safe when a poll morphs the page;
// - poll for changes only while the page is visible, fast while the visit is open;
// - resend forms that could not be sent, and count down the step timer.
(function () {
  "use strict";

  const STORE = "kerne:live:";
  const KEPT_STORE = "kerne:kept:";
  const FORM_STORE = "kerne:form:";
  // Co-writing: another phone sees a word within SAVE_DELAY_MS + FAST_POLL_MS + two round trips
  // (bench/live_latency.py measures it).
  const SAVE_DELAY_MS = 250;
  const FAST_POLL_MS = 500;
  const RETRY_MS = 3000;
  // An answer that has not come by then will not come: try again instead of waiting
  // (polls give up sooner: hx-request on the poller in templates/workshop/_board.html).
  const SAVE_TIMEOUT_MS = 6000;
  let messages = {};

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

  function newEditId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
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

  function fetchWithTimeout(url, options, ms) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    return fetch(url, { ...options, signal: controller.signal }).finally(() => clearTimeout(timer));
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

  function persist(url) {
    const entry = queue.get(url);
    const sent = unanswered.get(url);
    try {
      if (entry || sent) localStorage.setItem(STORE + url, JSON.stringify({ entry: entry || null, sent: sent || null }));
      else localStorage.removeItem(STORE + url);
    } catch (e) { /* private mode: the queue in memory still holds it */ }
  }

  function remember(url, entry) {
    queue.set(url, entry);
    persist(url);
  }

  function forget(url, entry) {
    if (queue.get(url) !== entry) return;
    queue.delete(url);
    persist(url);
  }

  function pending(url) {
    return queue.has(url) || unanswered.has(url) || inFlight.has(url);
  }

  function edited(field) {
    const url = field.dataset.saveUrl;
    // A field with unsaved text is never morphed, so data-base still holds the value it started from.
    remember(url, { value: field.value, base: field.dataset.base, editId: newEditId() });
    showState(url, messages.unsaved, "unsaved");
  }

  function schedule(url, delay) {
    clearTimeout(timers.get(url));
    timers.set(url, setTimeout(() => flush(url), delay));
  }

  function responseHasConflict(html, field) {
    if (!field) return false;
    const doc = new DOMParser().parseFromString(html, "text/html");
    const wrap = doc.getElementById(field.id + "-wrap");
    return Boolean(wrap && wrap.querySelector(".conflict"));
  }

  function errorMessage(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const node = doc.querySelector("[data-error-message]");
    return node ? node.textContent.trim() : "";
  }

  async function flush(url) {
    if (inFlight.has(url)) return;
    const entry = unanswered.get(url) || queue.get(url);
    if (!entry) return;
    unanswered.set(url, entry);
    persist(url);
    inFlight.add(url);
    showState(url, messages.saving, "saving");
    let response, html;
    try {
      response = await fetchWithTimeout(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        body: new URLSearchParams({ value: entry.value, base: entry.base, edit_id: entry.editId }),
        credentials: "same-origin",
      }, SAVE_TIMEOUT_MS);
      html = await response.text();
    } catch (e) {
      // No answer (offline, or it never came): send the same save again later.
      inFlight.delete(url);
      showState(url, messages.offline, "offline");
      schedule(url, RETRY_MS);
      return;
    }
    inFlight.delete(url);
    if (response.status >= 500) {
      showState(url, messages.offline, "offline");
      schedule(url, RETRY_MS);
      return;
    }
    if (response.status === 400 && !entry.tokenRefreshed && await refreshToken()) {
      entry.tokenRefreshed = true;
      schedule(url, 0);
      return;
    }
    unanswered.delete(url);
    persist(url);
    const field = fieldFor(url);
    const newer = queue.get(url) !== entry && queue.has(url);
    if (response.ok) {
      const conflict = responseHasConflict(html, field);
      if (newer) {
        // Typed on while this save travelled: the next save starts from what the
        // server now holds of ours, unless it could not take it (a conflict).
        const next = queue.get(url);
        next.base = conflict ? entry.base : entry.value;
        remember(url, next);
        if (field) field.dataset.base = next.base;
        schedule(url, 0);
      } else {
        forget(url, entry);
        if (field) field.dataset.base = entry.value;
        showState(url, conflict ? messages.conflict : messages.saved, conflict ? "conflict" : "saved");
      }
      // Polls passed the field by while it was saving; an answer that is not shown (204, or
      // older than what a poll brought since) would leave it as typed, not as the room has it.
      if (response.status === 200 && !older(html)) morphLive(html);
      else refreshLive();
      return;
    }
    if (response.status === 422) {
      morphLive(html);
      showState(url, messages.rejected, "error");
      return;
    }
    // Refused for good (the visit closed, the wording was locked, no access): the
    // text leaves the field, which follows the room again, but stays on the phone.
    const reason = errorMessage(html) || messages.rejected;
    const latest = queue.get(url) || entry;
    keep(url, latest.value, reason, field);
    queue.delete(url);
    persist(url);
    showState(url, messages.kept, "error");
    toast(reason);
    refreshLive();
  }

  // ---- text the server refused: kept on the phone, with the reason -------------
  function keptItems() {
    const items = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith(KEPT_STORE)) continue;
      try {
        items.push({ key, ...JSON.parse(localStorage.getItem(key)) });
      } catch (e) { /* unreadable: skip */ }
    }
    return items.sort((a, b) => a.at - b.at);
  }

  function keep(url, value, reason, field) {
    if (!value) return;
    const label = field && field.labels && field.labels[0] ? field.labels[0].textContent.trim() : "";
    const item = { url, value, reason, label, page: location.pathname, at: Date.now() };
    try {
      localStorage.setItem(KEPT_STORE + newEditId(), JSON.stringify(item));
    } catch (e) {
      keptInMemory.push({ key: null, ...item });
    }
    showKept();
  }
  const keptInMemory = [];

  function showKept() {
    const box = document.getElementById("kept");
    if (!box) return;
    const items = keptItems().concat(keptInMemory).filter((item) => item.page === location.pathname);
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
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "button small";
      dismiss.textContent = messages.dismiss;
      dismiss.addEventListener("click", () => {
        if (item.key) localStorage.removeItem(item.key);
        else keptInMemory.splice(keptInMemory.indexOf(item), 1);
        showKept();
      });
      actions.append(copy, dismiss);
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

  function restorePending() {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith(STORE)) continue;
      const url = key.slice(STORE.length);
      let stored;
      try {
        stored = JSON.parse(localStorage.getItem(key));
      } catch (e) {
        localStorage.removeItem(key);
        continue;
      }
      if (!stored || (!stored.entry && !stored.sent)) continue;
      if (stored.sent) unanswered.set(url, stored.sent);
      const entry = stored.entry || stored.sent;
      queue.set(url, entry);
      const field = fieldFor(url);
      if (field) {
        field.value = entry.value;
        field.dataset.base = entry.base;
      }
      showState(url, messages.unsaved, "unsaved");
      schedule(url, 0);
    }
  }

  document.addEventListener("input", (event) => {
    const field = event.target.closest && event.target.closest("[data-live]");
    if (field) {
      edited(field);
      schedule(field.dataset.saveUrl, SAVE_DELAY_MS);
    } else {
      rememberForm(event.target.form);
    }
  });
  document.addEventListener("change", (event) => {
    const field = event.target.closest && event.target.closest("[data-live]");
    if (field && (field.tagName === "SELECT" || field.type === "date")) {
      edited(field);
      schedule(field.dataset.saveUrl, 0);
    }
  });
  document.addEventListener("focusout", (event) => {
    const field = event.target.closest && event.target.closest("[data-live]");
    if (field && queue.has(field.dataset.saveUrl)) schedule(field.dataset.saveUrl, 0);
  });

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

  // ---- forms that could not be sent ----------------------------------------
  const unsentForms = new Set();

  function formKey(form) {
    return FORM_STORE + form.getAttribute("hx-post");
  }

  function rememberForm(form, unsent) {
    if (!form || !form.matches("[data-queue-offline]")) return;
    const values = Object.fromEntries(new FormData(form));
    localStorage.setItem(formKey(form), JSON.stringify({ values, unsent: Boolean(unsent) }));
  }

  function restoreForms(root) {
    root.querySelectorAll("form[data-queue-offline]").forEach((form) => {
      let saved;
      try {
        saved = JSON.parse(localStorage.getItem(formKey(form)));
      } catch (e) {
        saved = null;
      }
      if (!saved || !saved.values) return;
      // The saved edit id comes back too, so a resend of what was sent before is harmless.
      for (const [name, value] of Object.entries(saved.values)) {
        const input = form.elements.namedItem(name);
        if (input && "value" in input) input.value = value;
      }
      if (saved.unsent) {
        unsentForms.add(form);
        sendState(form, messages.queued);
      }
    });
  }

  function sendState(form, text) {
    const state = form.querySelector("[data-send-state]");
    if (state) state.textContent = text;
  }

  function resendForms() {
    unsentForms.forEach((form) => {
      if (!form.isConnected) unsentForms.delete(form);
      else htmx.trigger(form, "submit");
    });
  }

  document.addEventListener("htmx:sendError", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest("form[data-queue-offline]");
    if (form) {
      rememberForm(form, true);
      unsentForms.add(form);
      sendState(form, messages.queued);
    }
    if (event.detail.elt.matches("[data-poll]")) connection(false);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const elt = event.detail.elt;
    if (elt.matches("[data-poll]") && event.detail.xhr.status) connection(true);
    if (!event.detail.successful || !elt.matches("form")) return;
    delete elt.dataset.tokenRefreshed;
    unsentForms.delete(elt);
    sendState(elt, "");
    if (elt.matches("[data-reset-on-success]")) {
      localStorage.removeItem(formKey(elt));
      elt.reset();
    }
  });

  document.addEventListener("htmx:responseError", async (event) => {
    const elt = event.detail.elt;
    const form = elt.closest && elt.closest("form[data-queue-offline]");
    if (form && event.detail.xhr.status === 400 && !form.dataset.tokenRefreshed && await refreshToken()) {
      form.dataset.tokenRefreshed = "1";
      htmx.trigger(form, "submit");
      return;
    }
    toast(errorMessage(event.detail.xhr.responseText) || messages.rejected);
  });

  // Never replace what is shown with an answer older than it (a poll or a click that came late).
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "live" && event.detail.shouldSwap && older(event.detail.serverResponse || "")) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:timeout", (event) => {
    const elt = event.detail.elt;
    if (elt.matches("[data-poll]")) connection(false);
    const form = elt.closest && elt.closest("form[data-queue-offline]");
    if (form) {
      rememberForm(form, true);
      unsentForms.add(form);
      sendState(form, messages.queued);
    }
  });

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
    const live = document.getElementById("live");
    const fast = live && live.hasAttribute("data-fast-poll");
    setTimeout(() => pollLoop(every), fast ? Math.min(FAST_POLL_MS, every) : every);
  }

  function connection(ok) {
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
    queue.forEach((_entry, url) => schedule(url, 0));
    resendForms();
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    messages = JSON.parse(document.getElementById("kerne-messages").textContent);
    htmx.config.timeout = SAVE_TIMEOUT_MS;
    installMorphGuards();
    restoreForms(document);
    restorePending();
    showKept();
    markConflicts();
    if (unsentForms.size) resendForms();
    const poller = document.querySelector("[data-poll]");
    const every = Number((poller && poller.dataset.pollMs) || 2000);
    setTimeout(() => pollLoop(every), every);
    setInterval(() => { if (unsentForms.size) resendForms(); }, RETRY_MS);
    setInterval(tickTimers, 1000);
    tickTimers();
    document.addEventListener("visibilitychange", poll);
    window.addEventListener("online", retryEverything);
  });
  document.addEventListener("htmx:afterSettle", () => {
    tickTimers();
    markConflicts();
  });
})();
