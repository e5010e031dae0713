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
