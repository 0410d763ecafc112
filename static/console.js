// The console's keyboard shortcuts, listed on the page: a key presses the button that carries its
// data-shortcut, so it does exactly what the click does – and nothing when that button is not
// offered (no next step on the last one, no reveal on a step without results). A presenter's
// remote sends Page Down and Page Up, so it moves through the steps too.
(function () {
  "use strict";

  const KEYS = {
    ArrowRight: "next", PageDown: "next",
    ArrowLeft: "previous", PageUp: "previous",
    r: "reveal", t: "timer", "+": "longer", k: "code",
  };

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented || typing(event.target)) return;
    const name = KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    const button = name && document.querySelector(`#live [data-shortcut="${name}"]`);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  });
})();
