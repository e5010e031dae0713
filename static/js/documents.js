// The documents page: files dropped on (or chosen for) a document upload one by one, each
// with its own progress bar; when one is stored, the document's status and list refresh.
(function () {
  "use strict";
  const english = document.documentElement.lang === "en";
  const text = english
    ? { done: "Uploaded", failed: "Not uploaded: ", network: "the connection failed; try again.", duplicate: " (same content as an earlier file)", late: " (after the deadline)", shortened: " (the name was too long and is kept as “%s”)",
        tooLarge: "the file is larger than %s MB, the most the server accepts. Compress or split it, then upload the parts.",
        unavailable: "the server cannot take files right now; nothing was stored. Try again in a few minutes.",
        unexpected: "the server did not accept the file (answer %s); nothing was stored. Try again, or tell the administrator." }
    : { done: "已上传", failed: "上传失败：", network: "网络连接中断，请重试。", duplicate: "（与之前上传的文件内容相同）", late: "（逾期上传）", shortened: "（文件名过长，已缩短保存为“%s”）",
        tooLarge: "文件超过服务器允许的 %s MB 上限，没有上传。请压缩或拆分成几个较小的文件后再上传。",
        unavailable: "服务器暂时无法接收文件，没有保存任何内容。请过几分钟再试。",
        unexpected: "服务器没有接收这个文件（状态码 %s），没有保存任何内容。请重试；如仍不行，请告知管理员。" };

  function csrfToken(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function refresh(form) {
    htmx.ajax("GET", form.dataset.itemUrl, { target: form.dataset.target, swap: "outerHTML" });
  }

  // One upload at a time per page: large scans over an office line go faster one after
  // the other, and each still shows its own bar (waiting ones at 0%).
  let queue = Promise.resolve();

  function uploadOne(form, file) {
    const list = form.querySelector(".upload-progress");
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = english ? "Waiting" : "等待上传";
    item.append(name, bar, state);
    list.appendChild(item);

    form._pending = (form._pending || 0) + 1;
    queue = queue.then(() => send(form, file, item, bar, state)).then(() => {
      form._pending -= 1;
      // Refresh the document's status and list once its last queued file is through.
      if (form._pending === 0 && form._stored) {
        form._stored = false;
        refresh(form);
      }
    });
  }

  // Why a file was not stored when the answer is not the portal's own (a proxy's page).
  function reasonFor(form, status) {
    if (status === 413) return text.tooLarge.replace("%s", form.dataset.maxMb);
    if (status === 502 || status === 503 || status === 504) return text.unavailable;
    return text.unexpected.replace("%s", status);
  }

  function send(form, file, item, bar, state) {
    return new Promise((resolve) => {
      // The server's limit, checked before a single byte is sent: a 300 MB scan is refused
      // at once instead of after minutes of uploading.
      if (file.size > Number(form.dataset.maxBytes)) {
        item.dataset.state = "failed";
        bar.hidden = true;
        state.textContent = text.failed + text.tooLarge.replace("%s", form.dataset.maxMb);
        resolve();
        return;
      }
      const data = new FormData();
      data.append("files", file);
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
          state.textContent = bar.value + "%";
        }
      });
      request.addEventListener("load", () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
        if (request.status === 201) {
          bar.value = 100;
          item.dataset.state = "done";
          state.textContent = text.done + (answer.duplicate ? text.duplicate : "") + (answer.late ? text.late : "")
            + (answer.name && answer.name !== file.name ? text.shortened.replace("%s", answer.name) : "");
          form._stored = true;
        } else {
          failed(answer.error || reasonFor(form, request.status));
        }
      });
      request.addEventListener("error", () => failed(text.network));
      // A refused file: the row keeps the whole name, turns red and loses its bar.
      function failed(reason) {
        item.dataset.state = "failed";
        bar.hidden = true;
        state.textContent = text.failed + reason;
      }
      request.addEventListener("loadend", resolve);
      request.send(data);
    });
  }

  function uploadAll(form, files) {
    Array.from(files).forEach((file) => uploadOne(form, file));
  }

  document.addEventListener("change", (event) => {
    const input = event.target.closest(".dropzone-input");
    if (input && input.files.length) {
      uploadAll(input.form, input.files);
      input.value = "";
    }
  });
  document.addEventListener("dragover", (event) => {
    const zone = event.target.closest(".dropzone");
    if (zone) {
      event.preventDefault();
      zone.classList.add("dragging");
    }
  });
  document.addEventListener("dragleave", (event) => {
    const zone = event.target.closest(".dropzone");
    if (zone) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    const zone = event.target.closest(".dropzone");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    uploadAll(zone, event.dataTransfer.files);
  });
})();
