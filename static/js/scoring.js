// The scoring page: every change saves by itself (htmx posts the standard's form on the
// custom "autosave" event), and each standard says whether its last change was saved.
//
// Nothing is refused silently and nothing typed is lost:
// - a field the browser can tell is wrong (points outside 0…max or with two decimals, a text
//   over its limit) is not sent: the form sends that field's last saved value instead, so
//   the rest still saves, and the line under the standard says which field was not saved;
// - every answer that is not a save (the server's refusal, a conflict, no network, a
//   timeout) is said in the line under the standard, and the field at fault is marked;
// - while a conflict is shown, nothing saves by itself until the person chooses a version.
(function () {
  "use strict";
  const DELAY_MS = 800;
  const COUNTER_FROM = 0.8; // show a text field's count from 80 % of its limit
  const pending = new Set();
  const english = () => document.documentElement.lang === "en";
  const text = {
    saving: ["正在保存…", "Saving…"],
    retry: ["重试", "Try again"],
    network: ["未保存：无法连接服务器。您填写的内容仍在页面上，请检查网络后点“重试”。",
      "Not saved: the server could not be reached. Your entry is still here; check the network and try again."],
    timeout: ["未保存：服务器长时间没有答复。您填写的内容仍在页面上，请稍后点“重试”。",
      "Not saved: the server did not answer in time. Your entry is still here; try again in a moment."],
    status: {
      400: ["未保存：内容中含有平台不接受的字符（例如从其他软件粘贴的控制字符），请删除后重试。",
        "Not saved: the entry contains characters the portal does not accept; remove them and try again."],
      403: ["未保存：您现在无权修改这项评分（可能已不再是本代办处的稽核员，或稽核已提交复核）。您填写的内容仍在页面上。",
        "Not saved: you may no longer change this score (you may have been unassigned, or the audit was submitted). Your entry is still here."],
      404: ["未保存：这项标准已不存在或不适用于本代办处。您填写的内容仍在页面上。",
        "Not saved: this standard no longer exists or no longer applies. Your entry is still here."],
      413: ["未保存：内容太长，服务器拒绝接收。请删减后重试。",
        "Not saved: the entry is too large for the server; shorten it and try again."],
    },
    server: ["未保存：服务器出错（答复 %s）。您填写的内容仍在页面上，请稍后点“重试”。",
      "Not saved: the server failed (answer %s). Your entry is still here; try again later."],
    points: ["分数未保存：须在 0 到 %s 之间，最多一位小数（例如 7.5）。", "Points not saved: they must be between 0 and %s, with at most one decimal (e.g. 7.5)."],
    tooLong: ["%s未保存：最多 %s 字，现在是 %s 字，请删减。", "%s not saved: at most %s characters, now %s; please shorten it."],
    others: ["其他内容已保存。", "Everything else was saved."],
    counter: ["%s / %s 字", "%s / %s characters"],
    over: ["超出 %s 字，删减后才能保存", "%s characters over the limit: shorten to save"],
    noResult: ["请选择结果。", "Choose a result."],
  };
  const say = (entry, ...values) => {
    let message = entry[english() ? 1 : 0];
    for (const value of values) message = message.replace("%s", value);
    return message;
  };

  function formOf(element) {
    return element && element.closest ? element.closest("form[data-autosave]") : null;
  }

  function fieldValues(form) {
    const values = {};
    for (const field of form.querySelectorAll("input[name=points], textarea[name]")) {
      values[field.name] = field.value;
    }
    return values;
  }

  function labelOf(field) {
    const label = field.id && document.querySelector(`label[for="${field.id}"]`);
    return label ? label.textContent.replace(/[（(].*$/, "").trim() : field.name;
  }

  function setStatus(form, state, message) {
    const status = form.querySelector(".assessment-status");
    if (!status) return;
    status.replaceChildren();
    const span = document.createElement("span");
    span.dataset.state = state;
    span.className = state === "failed" ? "text-danger" : "text-secondary";
    span.textContent = message;
    status.appendChild(span);
    if (state === "failed") {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "btn btn-sm btn-outline-danger ms-2";
      retry.textContent = say(text.retry);
      retry.addEventListener("click", () => save(form));
      status.appendChild(retry);
    }
  }

  function markFields(form, names) {
    for (const field of form.querySelectorAll("input[name=points], textarea[name]")) {
      const wrong = names.includes(field.name);
      field.classList.toggle("is-invalid", wrong);
      if (wrong) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
  }

  // What the browser can tell before sending: [{name, message}] of the fields not to send.
  function problems(form) {
    const found = [];
    const points = form.querySelector("input[name=points]");
    if (points && !points.readOnly && !points.validity.valid) {
      found.push({ name: "points", message: say(text.points, form.dataset.maxPoints) });
    }
    for (const area of form.querySelectorAll("textarea[data-maxlength]")) {
      const limit = Number(area.dataset.maxlength);
      if (area.value.length > limit) {
        found.push({ name: area.name, message: say(text.tooLong, labelOf(area), limit, area.value.length) });
      }
    }
    return found;
  }

  function updateCounter(area) {
    const limit = Number(area.dataset.maxlength);
    let counter = area.nextElementSibling;
    if (!counter || !counter.classList.contains("length-counter")) {
      if (area.value.length < limit * COUNTER_FROM) return;
      counter = document.createElement("div");
      counter.className = "length-counter form-text";
      counter.setAttribute("aria-live", "polite");
      area.after(counter);
    }
    const length = area.value.length;
    counter.hidden = length < limit * COUNTER_FROM;
    counter.classList.toggle("text-danger", length > limit);
    counter.textContent = length > limit
      ? `${say(text.counter, length, limit)} · ${say(text.over, length - limit)}`
      : say(text.counter, length, limit);
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

  // The values last saved, per form: the page as loaded, or a standard reloaded by htmx.
  document.addEventListener("htmx:load", (event) => {
    const root = event.detail.elt;
    const forms = root.matches && root.matches("form[data-autosave]")
      ? [root] : root.querySelectorAll ? root.querySelectorAll("form[data-autosave]") : [];
    for (const form of forms) {
      if (!form._saved) form._saved = fieldValues(form);
    }
  });

  document.addEventListener("input", (event) => {
    const form = formOf(event.target);
    if (!form || event.target.type === "radio") return;
    if (event.target.dataset.maxlength) updateCounter(event.target);
    pending.add(form);
    clearTimeout(form._autosaveTimer);
    if (form._conflict) return; // nothing saves by itself until a version is chosen
    form._autosaveTimer = setTimeout(() => save(form), DELAY_MS);
  });

  document.addEventListener("change", (event) => {
    const form = formOf(event.target);
    if (!form) return;
    if (event.target.name === "result") applyResultRules(form);
    if (form._conflict) {
      pending.add(form);
      return;
    }
    save(form);
  });

  // 问题库: "use it" takes the suggested type; a typical wording goes into the finding or the
  // requirement (after what is there), to be edited; both save as typing does.
  document.addEventListener("click", (event) => {
    const suggest = event.target.closest("[data-suggest-type]");
    const wording = event.target.closest("[data-insert-wording]");
    if (suggest) {
      const select = document.getElementById(suggest.dataset.for);
      if (!select) return;
      select.value = suggest.dataset.suggestType;
      select.focus();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (wording) {
      const area = document.getElementById(wording.dataset.insertWording);
      if (!area) return;
      const words = wording.dataset.text;
      area.value = area.value.trim() ? `${area.value.trimEnd()}\n${words}` : words;
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  document.addEventListener("click", (event) => {
    const overwrite = event.target.closest("[data-overwrite-version]");
    const reload = event.target.closest("[data-reload-item]");
    const form = formOf(event.target);
    if (!form) return;
    if (overwrite) {
      form.querySelector("input[name=version]").value = overwrite.dataset.overwriteVersion;
      form._conflict = false;
      save(form);
    } else if (reload) {
      form._conflict = false;
      clearTimeout(form._autosaveTimer);
      const item = form.closest(".assessment-item");
      htmx.ajax("GET", form.getAttribute("hx-post"), { target: item, swap: "outerHTML" });
      pending.delete(form);
    }
  });

  // A button in the conflict box takes focus from a text field; the field's change event
  // must not save the old version first (mousedown comes before blur).
  document.addEventListener("mousedown", (event) => {
    const form = formOf(event.target);
    if (form && event.target.closest("[data-overwrite-version], [data-reload-item]")) {
      form._conflict = true;
    }
  });

  document.addEventListener("htmx:configRequest", (event) => {
    const form = formOf(event.detail.elt);
    if (!form || event.detail.verb !== "post" || !form.hasAttribute("data-autosave")) return;
    if (form._conflict) {
      event.preventDefault();
      return;
    }
    const found = problems(form);
    for (const problem of found) {
      event.detail.parameters[problem.name] = form._saved[problem.name] || "";
    }
    form._problems = found;
    form._sent = {};
    for (const [name, value] of Object.entries(fieldValues(form))) {
      if (!found.some((problem) => problem.name === name)) form._sent[name] = value;
    }
    event.detail.errors = [];
    setStatus(form, "saving", say(text.saving));
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = formOf(event.detail.elt);
    if (!form || !form.hasAttribute("data-autosave")) return;
    const xhr = event.detail.xhr;
    const status = xhr ? xhr.status : 0;
    const found = form._problems || [];
    if (status >= 200 && status < 300) {
      Object.assign(form._saved, form._sent || {});
      if (found.length) {
        setStatus(form, "failed", found.map((p) => p.message).join(" ") + " " + say(text.others));
        markFields(form, found.map((p) => p.name));
      } else {
        pending.delete(form);
        markFields(form, []);
      }
    } else if (status === 409) {
      form._conflict = true; // the server's conflict box is shown in the status line
    } else if (status === 422) {
      // The server's message is already in the status line; mark the field it names.
      const error = form.querySelector(".assessment-status [data-field]");
      markFields(form, error ? [error.dataset.field] : []);
    } else if (status === 0) {
      setStatus(form, "failed", say(text.network)); // a timeout says so just after
    } else {
      const known = text.status[status];
      setStatus(form, "failed", known ? say(known) : say(text.server, status || "—"));
    }
  });

  document.addEventListener("htmx:timeout", (event) => {
    const form = formOf(event.detail.elt);
    if (form && form.hasAttribute("data-autosave")) setStatus(form, "failed", say(text.timeout));
  });

  // Before 提交复核: what is still incomplete, as the page shows it now (saves since it was
  // loaded included): no result chosen, or what the line under the standard says is missing.
  const confirmSubmit = document.getElementById("confirm-submit");
  if (confirmSubmit) {
    confirmSubmit.addEventListener("confirm:open", () => {
      const list = confirmSubmit.querySelector("[data-incomplete-list]");
      list.replaceChildren();
      for (const item of document.querySelectorAll(".assessment-item")) {
        const code = item.querySelector(".standard-code").textContent.trim();
        const chosen = item.querySelector("input[name=result]:checked");
        const missing = [...item.querySelectorAll(".assessment-status .missing")]
          .map((span) => span.textContent.replace(/^·\s*/, "").trim());
        if (!chosen) missing.push(say(text.noResult));
        if (missing.length) {
          const entry = document.createElement("li");
          entry.textContent = `${code}：${missing.join("")}`;
          list.appendChild(entry);
        }
      }
      const incomplete = list.children.length > 0;
      confirmSubmit.querySelector("[data-incomplete]").hidden = !incomplete;
      confirmSubmit.querySelector("[data-complete]").hidden = incomplete;
      confirmSubmit.querySelector("[data-confirmed]").disabled = incomplete;
    });
  }

  window.addEventListener("beforeunload", (event) => {
    if (pending.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
