// The scoring page: every change saves by itself (htmx posts the standard's form on the
// custom "autosave" event), and each standard says whether its last change was saved.
(function () {
  "use strict";
  const DELAY_MS = 800;
  const pending = new Set();

  function formOf(element) {
    return element && element.closest ? element.closest("form[data-autosave]") : null;
  }

  function setStatus(form, state, text) {
    const status = form.querySelector(".assessment-status");
    if (!status) return;
    status.replaceChildren();
    const span = document.createElement("span");
    span.dataset.state = state;
    span.className = state === "failed" ? "text-danger" : "text-secondary";
    span.textContent = text;
    status.appendChild(span);
    if (state === "failed") {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "btn btn-sm btn-outline-danger ms-2";
      retry.textContent = document.documentElement.lang === "en" ? "Try again" : "重试";
      retry.addEventListener("click", () => save(form));
      status.appendChild(retry);
    }
  }

  function save(form) {
    clearTimeout(form._autosaveTimer);
    pending.add(form);
    htmx.trigger(form, "autosave");
  }

  function applyResultRules(form) {
    const checked = form.querySelector("input[name=result]:checked");
    const points = form.querySelector("input[name=points]");
    if (!checked || !points) return;
    if (checked.value === "compliant") {
      points.value = form.dataset.maxPoints;
      points.readOnly = true;
    } else if (checked.value === "not_applicable") {
      points.value = "";
      points.readOnly = true;
    } else {
      points.readOnly = false;
    }
  }

  document.addEventListener("input", (event) => {
    const form = formOf(event.target);
    if (!form || event.target.type === "radio") return;
    pending.add(form);
    clearTimeout(form._autosaveTimer);
    form._autosaveTimer = setTimeout(() => save(form), DELAY_MS);
  });

  document.addEventListener("change", (event) => {
    const form = formOf(event.target);
    if (!form) return;
    if (event.target.name === "result") applyResultRules(form);
    save(form);
  });

  document.addEventListener("click", (event) => {
    const overwrite = event.target.closest("[data-overwrite-version]");
    const reload = event.target.closest("[data-reload-item]");
    const form = formOf(event.target);
    if (!form) return;
    if (overwrite) {
      form.querySelector("input[name=version]").value = overwrite.dataset.overwriteVersion;
      save(form);
    } else if (reload) {
      const item = form.closest(".assessment-item");
      htmx.ajax("GET", form.getAttribute("hx-post"), { target: item, swap: "outerHTML" });
      pending.delete(form);
    }
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = formOf(event.detail.elt);
    if (form && event.detail.requestConfig.verb === "post") {
      setStatus(form, "saving", document.documentElement.lang === "en" ? "Saving…" : "正在保存…");
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = formOf(event.detail.elt);
    if (!form) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300) {
      pending.delete(form);
    } else if (status === 409 || status === 422) {
      // The server's message is already shown in the standard's status line.
    } else {
      const english = document.documentElement.lang === "en";
      setStatus(form, "failed", english
        ? "Not saved: the server could not be reached. Your entry is still here."
        : "保存失败：无法连接服务器，您填写的内容仍在页面上。");
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (pending.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
