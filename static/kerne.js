// Kerne's own JavaScript, kept to what htmx does not do:
// - live fields: save what is typed with the value it started from, retry until
//   the server has it (offline too, across reloads), show "not saved / saved";
// - keep typed text and the caret safe when a poll morphs the page;
// - poll for changes only while the page is visible;
// - resend forms that could not be sent, and count down the step timer.
(function () {
  "use strict";

  const STORE = "kerne:live:";
  const FORM_STORE = "kerne:form:";
  const SAVE_DELAY_MS = 700;
  const RETRY_MS = 3000;
  let messages = {};

  // ---- live fields -----------------------------------------------------------
  // One queue entry per field (keyed by its save URL) holds the latest unsaved
  // value, the value it started from (base) and an id that makes a resend harmless.
  const queue = new Map();
  const inFlight = new Set();
  const timers = new Map();

  function newEditId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
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

  function remember(url, entry) {
    queue.set(url, entry);
    try {
      localStorage.setItem(STORE + url, JSON.stringify(entry));
    } catch (e) { /* private mode: the queue in memory still holds it */ }
  }

  function forget(url, entry) {
    if (queue.get(url) !== entry) return;
    queue.delete(url);
    localStorage.removeItem(STORE + url);
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
    const entry = queue.get(url);
    if (!entry || inFlight.has(url)) return;
    inFlight.add(url);
    showState(url, messages.saving, "saving");
    let response, html;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        body: new URLSearchParams({ value: entry.value, base: entry.base, edit_id: entry.editId }),
        credentials: "same-origin",
      });
      html = await response.text();
    } catch (e) {
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
    const field = fieldFor(url);
    const newer = queue.get(url) !== entry;
    if (response.ok) {
      if (newer) {
        // Typed on while this save travelled: the next save starts from what the
        // server now holds of ours, unless it could not take it (a conflict).
        const next = queue.get(url);
        next.base = responseHasConflict(html, field) ? entry.base : entry.value;
        remember(url, next);
        if (field) field.dataset.base = next.base;
        schedule(url, 0);
      } else {
        forget(url, entry);
        if (field) field.dataset.base = entry.value;
        showState(url, messages.saved, "saved");
      }
      if (response.status === 200) morphLive(html);
      return;
    }
    if (response.status === 422) {
      morphLive(html);
      showState(url, messages.rejected, "error");
      return;
    }
    // Refused for good (the visit closed, the wording was locked, no access).
    forget(url, entry);
    toast(errorMessage(html) || messages.rejected);
    showState(url, messages.rejected, "error");
  }

  function morphLive(html) {
    const live = document.getElementById("live");
    if (live) htmx.swap(live, html, { swapStyle: "morph" }, { contextElement: live });
  }

  function restorePending() {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith(STORE)) continue;
      const url = key.slice(STORE.length);
      let entry;
      try {
        entry = JSON.parse(localStorage.getItem(key));
      } catch (e) {
        localStorage.removeItem(key);
        continue;
      }
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
    if (node.matches("[data-live]")) return queue.has(node.dataset.saveUrl) || inFlight.has(node.dataset.saveUrl);
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
    unsentForms.delete(elt);
    sendState(elt, "");
    if (elt.matches("[data-reset-on-success]")) {
      localStorage.removeItem(formKey(elt));
      elt.reset();
    }
  });

  document.addEventListener("htmx:responseError", (event) => {
    toast(errorMessage(event.detail.xhr.responseText) || messages.rejected);
  });

  // ---- polling, connection and messages ------------------------------------
  function poll() {
    const poller = document.querySelector("[data-poll]");
    const live = document.getElementById("live");
    if (!poller || !live || live.hasAttribute("data-ended") || document.visibilityState !== "visible") return;
    htmx.trigger(poller, "kerne:poll");
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
    installMorphGuards();
    restoreForms(document);
    restorePending();
    if (unsentForms.size) resendForms();
    const poller = document.querySelector("[data-poll]");
    const every = Number((poller && poller.dataset.pollMs) || 2000);
    setInterval(poll, every);
    setInterval(() => { if (unsentForms.size) resendForms(); }, RETRY_MS);
    setInterval(tickTimers, 1000);
    tickTimers();
    document.addEventListener("visibilitychange", poll);
    window.addEventListener("online", retryEverything);
  });
  document.addEventListener("htmx:afterSettle", () => tickTimers());
})();
