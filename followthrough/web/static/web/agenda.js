// Keyboard shortcuts for the agenda: j/k move, c/s/r/x open an action, o/Enter open the contact,
// ? shows the help, Esc closes. Everything also works with the mouse and without this file.
(function () {
  "use strict";

  const ACTIONS = { c: "complete", s: "snooze", r: "reschedule", x: "skip" };
  let index = -1;

  function rows() {
    return Array.from(document.querySelectorAll("[data-fu-row]"));
  }

  function select(next) {
    const all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(next, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("is-selected", i === index));
    all[index].focus({ preventScroll: true });
    all[index].scrollIntoView({ block: "nearest" });
  }

  function current() {
    const all = rows();
    return index >= 0 && index < all.length ? all[index] : null;
  }

  function closeActions(row) {
    row.querySelectorAll("details.act[open]").forEach((d) => d.removeAttribute("open"));
  }

  function openAction(name) {
    const row = current();
    if (!row) return;
    const details = row.querySelector(`details[data-action="${name}"]`);
    if (!details) return;
    closeActions(row);
    details.open = true;
    const first = details.querySelector("input:not([type=hidden]), button");
    if (first) first.focus();
  }

  function openContact() {
    const row = current();
    const link = row && row.querySelector("[data-open]");
    if (link) window.location.href = link.href;
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const help = document.getElementById("shortcuts");
    if (event.key === "Escape") {
      const row = current() || event.target.closest("[data-fu-row]");
      if (row) {
        closeActions(row);
        row.focus({ preventScroll: true });
      }
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "Enter" && event.target.closest("a, button, summary")) return;
    if (event.key === "j") select(index + 1);
    else if (event.key === "k") select(index - 1);
    else if (ACTIONS[event.key]) openAction(ACTIONS[event.key]);
    else if (event.key === "o" || event.key === "Enter") openContact();
    else if (event.key === "?" && help) help.open ? help.close() : help.showModal();
    else return;
    event.preventDefault();
  });

  // A clicked row becomes the selected one, so j/k carry on from where the mouse was.
  document.addEventListener("click", (event) => {
    const row = event.target.closest("[data-fu-row]");
    if (row) {
      index = rows().indexOf(row);
      rows().forEach((r) => r.classList.toggle("is-selected", r === row));
    }
  });

  // After an action the row is replaced: keep the selection on the same position.
  document.addEventListener("htmx:afterSwap", () => {
    if (index >= 0) {
      const all = rows();
      all.forEach((row, i) => row.classList.toggle("is-selected", i === index));
    }
  });
})();
