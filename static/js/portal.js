// Small behaviours shared by every page. No inline scripts anywhere, so that a strict
// Content-Security-Policy can forbid them.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.requestSubmit();
  }
});

// A form with data-confirm="dialog-id" asks first: its submit opens that <dialog>, whose
// button marked data-confirmed (form="…" pointing back at the form) submits for real. The
// dialog hears "confirm:open" first, so a page can fill in what it must say.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const dialogId = form.dataset ? form.dataset.confirm : null;
  if (!dialogId || (event.submitter && event.submitter.hasAttribute("data-confirmed"))) return;
  const dialog = document.getElementById(dialogId);
  if (!dialog || typeof dialog.showModal !== "function") return; // no dialog: the server checks
  event.preventDefault();
  dialog.dispatchEvent(new CustomEvent("confirm:open", { detail: { form } }));
  dialog.showModal();
});

document.addEventListener("click", (event) => {
  const close = event.target.closest("[data-close-dialog]");
  if (close) close.closest("dialog").close();
});

// A checkbox with data-check-all="name" ticks or unticks every checkbox of that name in
// its form (the overview's "select every agency on this page").
document.addEventListener("change", (event) => {
  const master = event.target.closest("[data-check-all]");
  if (!master || !master.form) return;
  const name = master.dataset.checkAll;
  for (const box of master.form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) {
    box.checked = master.checked;
  }
});

// When htmx replaces the part of the page that holds the keyboard's focus (a standard
// reloaded after a conflict, the files cited for a standard), the focus would drop to the
// page's body and a keyboard user would start again from the top. It goes back to the same
// field in the new content, or else to the first field of the block that was replaced.
let focusBefore = null;
document.addEventListener("htmx:beforeSwap", () => {
  const active = document.activeElement;
  if (!active || active === document.body) {
    focusBefore = null;
    return;
  }
  const blocks = [];
  for (let node = active.parentElement; node && node !== document.body; node = node.parentElement) {
    if (node.id) blocks.push(node.id);
  }
  focusBefore = { id: active.id, name: active.getAttribute("name"), value: active.value, blocks };
  // the swap's own events may go to the element it removes: look again once it is done
  for (const delay of [0, 30, 120]) setTimeout(restoreFocus, delay);
  setTimeout(() => {
    focusBefore = null; // past this swap: a later one must not move the focus
  }, 1000);
});
// htmx:load is heard from the new content as it arrives (an outerHTML swap's own events go
// to the element it removed); a swap that took nothing focused away leaves the focus alone.
function restoreFocus() {
  const before = focusBefore;
  if (!before || (document.activeElement && document.activeElement !== document.body)) return;
  const focusable =
    "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), " +
    "select:not([disabled]), button:not([disabled]), a[href]";
  let target = before.id ? document.getElementById(before.id) : null;
  for (const id of before.blocks) {
    const block = document.getElementById(id);
    if (target || !block) continue;
    if (before.name) {
      target = [...block.querySelectorAll(`[name="${CSS.escape(before.name)}"]`)].find(
        (field) => !["radio", "checkbox"].includes(field.type) || field.value === before.value,
      );
    }
    target = target || block.querySelector(focusable);
  }
  if (target) {
    focusBefore = null;
    target.focus({ preventScroll: true });
  }
}
document.addEventListener("htmx:load", restoreFocus);
document.addEventListener("htmx:afterSettle", () => {
  restoreFocus();
  focusBefore = null;
});
