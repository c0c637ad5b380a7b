// The playbook editor: add rows, show the custom trigger box only when it is wanted, and insert
// a merge field where the cursor was. Without this file the form still works: it shows a few
// empty rows and both trigger boxes.
(function () {
  "use strict";

  let lastPurpose = null;  // the purpose box a merge field goes into

  function addRow(kind) {
    const total = document.getElementById(`id_${kind}-TOTAL_FORMS`);
    const template = document.getElementById(`${kind}-template`);
    const rows = document.getElementById(`${kind}-rows`);
    if (!total || !template || !rows) return;
    const index = Number(total.value);
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    const row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    lastPurpose = row.querySelector("[data-merge-target]") || lastPurpose;
    const first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select");
    if (first) first.focus();
  }

  function showCustomTrigger() {
    const select = document.getElementById("id_trigger");
    const box = document.querySelector("[data-custom-trigger]");
    if (!select || !box) return;
    const input = box.querySelector("input");
    box.hidden = select.value !== "custom" && !(input && input.value);
  }

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-merge-target]")) lastPurpose = event.target;
  });

  function insertMerge(text) {
    const input = lastPurpose || document.querySelector("[data-merge-target]");
    if (!input) return;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    const before = input.value.slice(0, start);
    const spaced = (before && !before.endsWith(" ") ? " " : "") + text + " ";
    input.value = before + spaced + input.value.slice(end);
    input.focus();
    input.setSelectionRange(start + spaced.length, start + spaced.length);
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) addRow(add.dataset.addRow);
    const merge = event.target.closest("[data-merge]");
    if (merge) insertMerge(merge.dataset.merge);
  });

  document.addEventListener("change", (event) => {
    if (event.target.id === "id_trigger") {
      showCustomTrigger();
      if (event.target.value === "custom") document.getElementById("id_custom_trigger")?.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-add-row]").forEach((button) => { button.hidden = false; });
    showCustomTrigger();
  });
})();
