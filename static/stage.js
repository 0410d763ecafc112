// The projector never scrolls: a list longer than its box (data-paginate) is shown a page at a time,
// turning every few seconds, with "Side 1 af 3" beside it. Pages are worked out again after every
// swap of the live block and when the window changes size; the page on show stays where it was.
(function () {
  "use strict";

  const TURN_MS = 8000;
  const shown = new Map(); // a list's place on the page → the page it shows

  function key(list) {
    const lists = Array.from(document.querySelectorAll("[data-paginate]"));
    return `${lists.indexOf(list)}:${list.className}`;
  }

  // Items on one page until the next one would stick out of the list's box: below it, or (in columns) to its right.
  // Layout offsets, not screen boxes: a row rising into place at the reveal is not yet where it will stand.
  // An item too tall for a column even alone on its page (a long idea on a small projector) spans the
  // list's width instead (stage-wide): text is never cut, only laid out wider.
  function pagesOf(list) {
    const items = Array.from(list.children);
    items.forEach((item) => { item.hidden = true; item.classList.remove("stage-wide"); item.style.zoom = ""; });
    const pages = [[]];
    for (const item of items) {
      item.hidden = false;
      const page = pages[pages.length - 1];
      if (page.length && sticksOut(list, item)) {
        page.forEach((each) => { each.hidden = true; });
        pages.push([item]);
      } else {
        page.push(item);
      }
      const alone = pages[pages.length - 1].length === 1;
      if (alone && sticksOut(list, item)) {
        item.classList.add("stage-wide");
        shrinkWhile([item], () => sticksOut(list, item));
      }
    }
    return pages;
  }

  // The last resort, for a text longer than a whole screen holds at full size: drawn smaller, step by
  // step, until it fits – never cut.
  function shrinkWhile(elements, overflowing) {
    elements.forEach((element) => { element.style.zoom = ""; });
    for (let zoom = 0.95; zoom >= 0.5 && overflowing(); zoom -= 0.05) {
      elements.forEach((element) => { element.style.zoom = zoom; });
    }
  }

  // What is not a list (the core task and the task in focus) is fitted the same way.
  function fit() {
    document.querySelectorAll(".stage-body").forEach((body) => {
      const blocks = Array.from(body.querySelectorAll(":scope > .stage-core, :scope > .stage-focus"));
      if (!blocks.length) return;
      shrinkWhile(blocks, () => body.scrollHeight > body.clientHeight + 1 ||
        blocks.some((block) => block.scrollHeight > block.clientHeight + 1));
    });
  }

  // Below the box, to its right (in columns), or broken over two columns.
  function sticksOut(list, item) {
    return item.offsetTop + item.offsetHeight > list.clientHeight + 1 ||
           item.offsetLeft + item.offsetWidth > list.clientWidth + 1 || item.getClientRects().length > 1;
  }

  function show(list, pages, number) {
    pages.forEach((page, n) => page.forEach((item) => { item.hidden = n !== number; }));
    const label = list.parentElement.querySelector("[data-pages]");
    if (label) {
      label.textContent = pages.length > 1
        ? label.dataset.pages.replace("{n}", number + 1).replace("{total}", pages.length) : "";
    }
  }

  function paginate() {
    fit();
    document.querySelectorAll("[data-paginate]").forEach((list) => {
      const pages = pagesOf(list);
      const number = Math.min(shown.get(key(list)) || 0, pages.length - 1);
      shown.set(key(list), number);
      show(list, pages, number);
    });
  }

  function turn() {
    document.querySelectorAll("[data-paginate]").forEach((list) => {
      const pages = pagesOf(list);
      const number = pages.length > 1 ? ((shown.get(key(list)) || 0) + 1) % pages.length : 0;
      shown.set(key(list), number);
      show(list, pages, number);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    paginate();
    document.fonts.ready.then(paginate);
    setInterval(turn, TURN_MS);
  });
  // Before the browser paints the swapped block, so no list shows whole for a moment.
  document.addEventListener("htmx:afterSwap", paginate);
  window.addEventListener("resize", paginate);
})();
