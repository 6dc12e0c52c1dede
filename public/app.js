// The todo web UI: plain ES module, no build step, no framework.
// Every piece of user data is put on the page with textContent, never innerHTML.

import { dueText, fieldSentence, isOverdue, problemSentence } from "/text.js";

const $ = (selector, root = document) => root.querySelector(selector);

// ---------------------------------------------------------------------------------------
// Session. Tokens live in sessionStorage (and memory): they survive a reload of this tab
// but not closing it, and are not shared with other tabs or sent with every request the
// way a cookie would be (so no CSRF). localStorage would keep a refresh token on disk
// indefinitely. Neither is out of reach of injected script, which is why the page has a
// strict Content-Security-Policy and never renders data as HTML.
// ---------------------------------------------------------------------------------------
const SESSION_KEY = "todo.session";
let session = loadSession();

function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null;
  } catch {
    return null;
  }
}

function saveSession(tokens) {
  session = tokens
    ? { access: tokens.access_token, refresh: tokens.refresh_token, user: tokens.user }
    : null;
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

// ---------------------------------------------------------------------------------------
// API client: JSON in and out, problem+json turned into ApiError, one refresh on 401.
// ---------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, problem) {
    super(problemSentence(status, problem));
    this.status = status;
    this.title = problem.title || "";
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

let refreshing = null;

async function refreshTokens() {
  // One refresh at a time: parallel 401s wait for the same rotation.
  if (!refreshing) {
    refreshing = (async () => {
      if (!session?.refresh) return false;
      const resp = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refresh }),
      });
      if (!resp.ok) return false;
      saveSession(await resp.json());
      return true;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

// A request that takes longer than a moment shows "Working…" until every one has answered.
let pending = 0;
let slowTimer = null;

async function tracked(request) {
  pending += 1;
  if (pending === 1) slowTimer = setTimeout(() => ($("#busy").hidden = false), 400);
  try {
    return await request;
  } finally {
    pending -= 1;
    if (pending === 0) {
      clearTimeout(slowTimer);
      $("#busy").hidden = true;
    }
  }
}

async function api(method, path, { json, body, headers = {}, auth = true, retried = false } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  if (auth && session?.access) init.headers.Authorization = `Bearer ${session.access}`;
  let resp;
  try {
    resp = await tracked(fetch(path, init));
  } catch {
    throw new ApiError(0, { detail: "Cannot reach the server. Check your connection and try again." });
  }
  if (resp.status === 401 && auth && !retried && (await refreshTokens())) {
    return api(method, path, { json, body, headers, auth, retried: true });
  }
  if (resp.status === 401 && auth) {
    signedOut();
    throw new ApiError(401, { detail: "Your session has ended. Please log in again." });
  }
  if (!resp.ok) throw new ApiError(resp.status, await readProblem(resp));
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  return { data, resp };
}

async function readProblem(resp) {
  const type = resp.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      return await resp.json();
    } catch {
      /* fall through */
    }
  }
  const titles = { 413: "The file is too large.", 502: "The server is unavailable.", 503: "The service is unavailable." };
  return { title: resp.statusText, detail: titles[resp.status] || `The server answered ${resp.status} ${resp.statusText}.` };
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------
function showError(error) {
  // While the modal editor is open the page behind it is inert: show the message in it.
  const inEditor = $("#editor").open;
  const notice = inEditor ? $("#editor-notice") : $("#notice");
  notice.classList.remove("ok");
  $(inEditor ? ".notice-text" : "#notice-text", notice).textContent =
    error instanceof ApiError ? error.message : String(error.message || error);
  $(inEditor ? ".notice-errors" : "#notice-errors", notice).replaceChildren(
    ...(error.errors || []).map((e) => {
      const li = document.createElement("li");
      li.textContent = fieldSentence(e);
      return li;
    }),
  );
  notice.hidden = false;
  notice.scrollIntoView({ block: "nearest" });
  if (!(error instanceof ApiError)) console.error(error);
}

function announce(text) {
  $("#status").textContent = text;
}

function clearNotice() {
  $("#notice").hidden = true;
  $("#editor-notice").hidden = true;
}

async function guarded(button, work) {
  clearNotice();
  if (button) button.disabled = true;
  try {
    await work();
  } catch (error) {
    showError(error);
  } finally {
    if (button) button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------
// Auth screens
// ---------------------------------------------------------------------------------------
function signedIn() {
  $("#auth").hidden = true;
  $("#tasks").hidden = false;
  $("#session").hidden = false;
  const user = session.user || {};
  $("#whoami").textContent = user.name ? `${user.name} (${user.email})` : user.email || "";
  loadTasks();
  $("#new-task [name=title]").focus();
}

function signedOut(message) {
  saveSession(null);
  $("#tasks").hidden = true;
  $("#session").hidden = true;
  $("#auth").hidden = false;
  $("#task-list").replaceChildren();
  if ($("#editor").open) $("#editor").close();
  if (message) showError(new Error(message));
  showAuth("login");
}

function showAuth(which) {
  $("#login-form").hidden = which !== "login";
  $("#register-form").hidden = which !== "register";
  $("#auth-title").textContent = which === "login" ? "Log in" : "Sign up";
  $(`#${which}-form [name=email]`).focus();
}

function formJson(form) {
  return Object.fromEntries(new FormData(form).entries());
}

$("#login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  guarded(form.querySelector("button[type=submit]"), async () => {
    const { email, password } = formJson(form);
    const { data } = await api("POST", "/api/auth/login", { json: { email, password }, auth: false });
    saveSession(data);
    form.reset();
    signedIn();
  });
});

$("#register-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  guarded(form.querySelector("button[type=submit]"), async () => {
    const { email, password, name } = formJson(form);
    const json = { email, password };
    if (name.trim()) json.name = name.trim();
    const { data } = await api("POST", "/api/auth/register", { json, auth: false });
    saveSession(data);
    form.reset();
    signedIn();
  });
});

$("#show-register").addEventListener("click", () => showAuth("register"));
$("#show-login").addEventListener("click", () => showAuth("login"));

$("#logout").addEventListener("click", async (event) => {
  const refresh = session?.refresh;
  await commitDelete();
  await guarded(event.currentTarget, async () => {
    if (refresh) {
      // Revoke the refresh token server-side; signing out locally happens regardless.
      await api("POST", "/api/auth/logout", { json: { refresh_token: refresh } }).catch(() => {});
    }
  });
  signedOut();
  announce("Logged out.");
});

$("#notice-close").addEventListener("click", clearNotice);

// ---------------------------------------------------------------------------------------
// Task list
// ---------------------------------------------------------------------------------------
let nextCursor = null;
// Tasks as the last write returned them: a list response that was on its way during the
// write may carry an older copy, and must not undo what the user just saw happen.
const written = new Map();

function newest(task) {
  const mine = written.get(task.id);
  return mine && mine.updated_at > task.updated_at ? mine : task;
}

function remember(task) {
  written.set(task.id, task);
  return task;
}
let searchTimer = null;
let listGeneration = 0;
let activeTag = null; // set by clicking a tag; shown as a removable chip in the toolbar
const hiddenForUndo = new Set(); // tasks deleted on screen whose DELETE waits for Undo

function listQuery(cursor) {
  const form = $("#toolbar");
  const params = new URLSearchParams({
    status: form.status.value,
    sort: form.sort.value,
    order: form.order.value,
    limit: "50",
  });
  const q = form.q.value.trim();
  if (q) params.set("q", q);
  if (activeTag) params.set("tag", activeTag);
  if (cursor) params.set("cursor", cursor);
  return `/api/tasks?${params}`;
}

function setLoading(on) {
  $("#task-list").setAttribute("aria-busy", String(on));
  $("#loading").hidden = !on;
}

function emptyText() {
  const form = $("#toolbar");
  const q = form.q.value.trim();
  const status = form.status.value === "all" ? "" : `${form.status.value} `;
  if (q && activeTag) return `No ${status}tasks tagged #${activeTag} match “${q}”.`;
  if (q) return `No ${status}tasks match “${q}”.`;
  if (activeTag) return `No ${status}tasks tagged #${activeTag}.`;
  if (status) return `No ${status}tasks.`;
  return "No tasks here yet. Add your first one above.";
}

async function loadTasks({ append = false } = {}) {
  const generation = ++listGeneration;
  setLoading(true);
  try {
    const { data } = await api("GET", listQuery(append ? nextCursor : null));
    if (generation !== listGeneration) return; // a newer search is on its way
    const list = $("#task-list");
    const visible = data.items.filter((task) => !hiddenForUndo.has(task.id));
    const items = visible.map((task) => renderTask(newest(task)));
    if (append) list.append(...items);
    else list.replaceChildren(...items);
    nextCursor = data.next_cursor;
    $("#more").hidden = !nextCursor;
    $("#empty").textContent = emptyText();
    $("#empty").hidden = list.children.length > 0;
    announce(list.children.length ? `${list.children.length} task${list.children.length === 1 ? "" : "s"} shown.` : emptyText());
  } catch (error) {
    if (generation === listGeneration) showError(error);
  } finally {
    if (generation === listGeneration) setLoading(false);
  }
}

function filterByTag(tag) {
  activeTag = tag;
  $("#tag-filter").hidden = !tag;
  $("#tag-filter-name").textContent = tag ? `#${tag}` : "";
  loadTasks();
  if (tag) $("#tag-filter-clear").focus();
  else $("#toolbar [name=q]").focus();
}

$("#tag-filter-clear").addEventListener("click", () => filterByTag(null));

const PRIORITY = { low: "Low", medium: "Medium", high: "High" };

// User text set inside a sentence: a <bdi> (dir=auto, unicode-bidi: isolate) keeps an
// unclosed override or an RTL title from reordering the words around it.
function isolated(text) {
  const bdi = document.createElement("bdi");
  bdi.textContent = text;
  return bdi;
}

function renderTask(task) {
  const li = $("#task-template").content.firstElementChild.cloneNode(true);
  li.dataset.id = task.id;
  li.classList.toggle("done", task.completed);
  const toggle = $(".toggle", li);
  toggle.checked = task.completed;
  toggle.setAttribute("aria-label", `${task.completed ? "Mark pending" : "Mark completed"}: ${task.title}`);
  toggle.addEventListener("change", () => toggleTask(task, li));
  const title = $(".title", li);
  title.textContent = task.title;
  title.setAttribute("aria-label", `Rename: ${task.title}`);
  title.addEventListener("click", () => renameInline(task, li));
  $(".description", li).textContent = task.description || "";
  $(".description", li).hidden = !task.description;

  const meta = $(".meta", li);
  const priority = document.createElement("span");
  priority.textContent = `${PRIORITY[task.priority] || task.priority} priority`;
  if (task.priority === "high") priority.className = "high";
  meta.append(priority);
  if (task.due_date) {
    const due = document.createElement("time");
    due.dateTime = task.due_date;
    const overdue = !task.completed && isOverdue(task.due_date);
    due.textContent = ` · due ${dueText(task.due_date)}${overdue ? " (overdue)" : ""}`;
    if (overdue) due.className = "overdue";
    meta.append(due);
  }
  if (task.tags?.length) {
    meta.append(" · ");
    for (const tag of task.tags) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "tag link";
      chip.textContent = `#${tag}`;
      chip.setAttribute("aria-label", `Show tasks tagged ${tag}`);
      chip.addEventListener("click", () => filterByTag(tag));
      meta.append(chip, " ");
    }
  }

  const edit = $(".edit", li);
  edit.setAttribute("aria-label", `Edit: ${task.title}`);
  edit.addEventListener("click", () => openEditor(task.id));
  const attach = $(".attach-input", li);
  attach.setAttribute("aria-label", `Attach a file to: ${task.title}`);
  attach.addEventListener("change", () => {
    const file = attach.files[0];
    if (file) guarded(null, async () => {
      await uploadFile(task.id, file);
      attach.value = "";
      announce(`Attached ${file.name} to ${task.title}`);
    });
  });
  const del = $(".delete", li);
  del.setAttribute("aria-label", `Delete: ${task.title}`);
  del.addEventListener("click", () => deleteTask(task, li));
  return li;
}

// Click a title to rename it in place: Enter or leaving the field saves, Escape keeps it.
function renameInline(task, li) {
  const title = $(".title", li);
  const input = document.createElement("input");
  input.className = "title-input";
  input.value = task.title;
  input.required = true;
  input.maxLength = 200;
  input.setAttribute("aria-label", `New title for: ${task.title}`);
  title.replaceWith(input);
  input.focus();
  input.select();
  let done = false;
  const finish = async (save) => {
    if (done) return;
    done = true;
    const value = input.value.trim();
    if (!save || !value || value === task.title) {
      input.replaceWith(title);
      title.focus();
      return;
    }
    await guarded(null, async () => {
      try {
        const { data } = await api("PATCH", `/api/tasks/${encodeURIComponent(task.id)}`, { json: { title: value } });
        const fresh = renderTask(remember(data));
        li.replaceWith(fresh);
        $(".title", fresh).focus();
        announce(`Renamed to ${data.title}`);
      } catch (error) {
        input.replaceWith(title);
        throw error;
      }
    });
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      finish(true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      finish(false);
    }
  });
  input.addEventListener("blur", () => finish(true));
}

async function toggleTask(task, li) {
  await guarded(null, async () => {
    try {
      const { data } = await api("PATCH", `/api/tasks/${encodeURIComponent(task.id)}/complete`);
      const fresh = renderTask(remember(data));
      // The list may have been re-rendered meanwhile: replace the row that is there now.
      const current = document.querySelector(`.task[data-id="${CSS.escape(task.id)}"]`) || li;
      current.replaceWith(fresh);
      $(".toggle", fresh).focus();
      announce(data.completed ? `Completed: ${data.title}` : `Pending again: ${data.title}`);
      if ($("#toolbar").status.value !== "all") loadTasks();
    } catch (error) {
      $(".toggle", li).checked = task.completed;
      throw error;
    }
  });
}

// Delete is undoable: the row goes at once, the DELETE is sent when the Undo offer ends
// (or at once when another delete, logging out or leaving the page comes first).
let undoable = null; // { task, timer }
const UNDO_MS = 7000;

function deleteTask(task, li) {
  commitDelete();
  hiddenForUndo.add(task.id);
  const next = li.nextElementSibling || li.previousElementSibling;
  li.remove();
  $("#empty").textContent = emptyText();
  $("#empty").hidden = $("#task-list").children.length > 0;
  undoable = { task, timer: setTimeout(commitDelete, UNDO_MS) };
  $("#undo-text").replaceChildren("Deleted “", isolated(task.title), "”.");
  $("#undo").hidden = false;
  announce(`Deleted: ${task.title}. Undo is available.`);
  const target = next ? $(".title", next) : null;
  (target || $("#new-task [name=title]")).focus();
}

async function commitDelete({ keepalive = false } = {}) {
  if (!undoable) return;
  const { task, timer } = undoable;
  undoable = null;
  clearTimeout(timer);
  $("#undo").hidden = true;
  const path = `/api/tasks/${encodeURIComponent(task.id)}`;
  if (keepalive) {
    fetch(path, { method: "DELETE", keepalive: true, headers: { Authorization: `Bearer ${session?.access}` } });
    return;
  }
  await guarded(null, async () => {
    try {
      await api("DELETE", path);
    } catch (error) {
      if (error.status !== 404) {
        hiddenForUndo.delete(task.id);
        await loadTasks();
        throw error;
      }
    }
  });
  hiddenForUndo.delete(task.id);
}

$("#undo-button").addEventListener("click", () => {
  if (!undoable) return;
  const { task, timer } = undoable;
  undoable = null;
  clearTimeout(timer);
  hiddenForUndo.delete(task.id);
  $("#undo").hidden = true;
  announce(`Restored: ${task.title}`);
  loadTasks().then(() => {
    const row = document.querySelector(`.task[data-id="${CSS.escape(task.id)}"] .title`);
    if (row) row.focus();
  });
});
window.addEventListener("pagehide", () => commitDelete({ keepalive: true }));

$("#new-task").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  guarded(form.querySelector("button[type=submit]"), async () => {
    const values = formJson(form);
    const json = { title: values.title.trim(), priority: values.priority };
    if (values.due_date) json.due_date = values.due_date;
    const { data } = await api("POST", "/api/tasks", { json });
    form.reset();
    announce(`Added: ${data.title}`);
    await loadTasks();
    form.title.focus();
  });
});

// Each sort's natural order: due dates soonest first (undated last), newest created first.
const NATURAL_ORDER = { created: "desc", title: "asc", due_date: "asc", priority: "desc" };

$("#toolbar [name=sort]").addEventListener("change", (event) => {
  $("#toolbar [name=order]").value = NATURAL_ORDER[event.target.value] || "asc";
});

$("#toolbar").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  // Typing in search waits for a pause; the other controls apply at once.
  searchTimer = setTimeout(() => loadTasks(), event.target.name === "q" ? 250 : 0);
});
$("#toolbar").addEventListener("submit", (event) => {
  event.preventDefault();
  loadTasks();
});
$("#more").addEventListener("click", () => loadTasks({ append: true }));

// ---------------------------------------------------------------------------------------
// Editor (a modal dialog: Escape closes it, focus returns to the list)
// ---------------------------------------------------------------------------------------
let editing = null; // { task, etag }

async function openEditor(id) {
  await guarded(null, async () => {
    const { data, resp } = await api("GET", `/api/tasks/${encodeURIComponent(id)}`);
    editing = { task: data, etag: resp.headers.get("ETag") };
    const form = $("#edit-form");
    form.title.value = data.title;
    form.description.value = data.description || "";
    form.priority.value = data.priority;
    form.due_date.value = data.due_date || "";
    form.tags.value = (data.tags || []).join(", ");
    form.completed.checked = data.completed;
    $("#upload-form").reset();
    $("#attachment-list").replaceChildren(); // not the last task's files while this one's load
    $("#editor").showModal();
    form.title.focus();
    await loadAttachments();
  });
}

$("#edit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  guarded(form.querySelector("button[type=submit]"), async () => {
    const json = {
      title: form.title.value.trim(),
      description: form.description.value.trim() || null,
      priority: form.priority.value,
      due_date: form.due_date.value || null,
      tags: form.tags.value.split(",").map((t) => t.trim()).filter(Boolean),
      completed: form.completed.checked,
    };
    const headers = editing.etag ? { "If-Match": editing.etag } : {};
    try {
      const { data } = await api("PUT", `/api/tasks/${encodeURIComponent(editing.task.id)}`, {
        json,
        headers,
      });
      remember(data);
    } catch (error) {
      if (error.status === 412) {
        throw new ApiError(412, {
          detail: "This task was changed elsewhere since you opened it. Close and reopen it to see the latest version.",
        });
      }
      throw error;
    }
    $("#editor").close();
    announce(`Saved: ${json.title}`);
    await loadTasks();
  });
});

$("#edit-cancel").addEventListener("click", () => $("#editor").close());
$("#editor").addEventListener("close", () => {
  const id = editing?.task.id;
  editing = null;
  const row = id && document.querySelector(`.task[data-id="${CSS.escape(id)}"] .title`);
  if (row) row.focus();
});

// ---------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------
let limits = { max_direct_upload_bytes: 4 * 1024 * 1024 };

function attachmentsPath(suffix = "", taskId = editing.task.id) {
  return `/api/tasks/${encodeURIComponent(taskId)}/attachments${suffix}`;
}

// Through the API when small, else straight to the store (presigned); used by the editor
// and by each row's "Attach" button.
async function uploadFile(taskId, file) {
  if (limits.max_upload_bytes && file.size > limits.max_upload_bytes) {
    throw new Error(`${file.name} is ${formatSize(file.size)}; the limit is ${formatSize(limits.max_upload_bytes)}.`);
  }
  if (file.size <= limits.max_direct_upload_bytes) {
    const body = new FormData();
    body.append("file", file, file.name);
    await api("POST", attachmentsPath("", taskId), { body });
  } else {
    await presignedUpload(file, taskId);
  }
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The newest list request: an older answer that arrives after it (the list the dialog
// asked for on opening, slower than the one after an upload) must not overwrite it.
let attachmentsLoad = 0;

async function loadAttachments() {
  if (!editing) return;
  const load = ++attachmentsLoad;
  const taskId = editing.task.id;
  const { data } = await api("GET", attachmentsPath("", taskId));
  if (load !== attachmentsLoad || editing?.task.id !== taskId) return;
  limits = { ...limits, ...data };
  const list = $("#attachment-list");
  list.replaceChildren(...data.items.map(renderAttachment));
  if (!data.items.length) {
    const li = document.createElement("li");
    li.className = "hint";
    li.textContent = "No files attached.";
    list.append(li);
  }
  const quota = [];
  if (data.max_upload_bytes) quota.push(`Up to ${formatSize(data.max_upload_bytes)} per file.`);
  if (data.quota_bytes) quota.push(`${formatSize(data.used_bytes || 0)} of ${formatSize(data.quota_bytes)} used.`);
  $("#quota").textContent = quota.join(" ");
}

function renderAttachment(att) {
  const li = document.createElement("li");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = `${att.filename} (${formatSize(att.size)})`;
  const download = document.createElement("button");
  download.type = "button";
  download.className = "secondary";
  download.textContent = "Download";
  download.setAttribute("aria-label", `Download ${att.filename}`);
  download.addEventListener("click", () =>
    guarded(download, async () => {
      // The download itself needs no token: ask for a short-lived link, then follow it.
      const { data } = await api("GET", attachmentsPath(`/${encodeURIComponent(att.id)}/url`));
      const a = document.createElement("a");
      a.href = data.url;
      a.download = att.filename;
      a.rel = "noopener";
      document.body.append(a);
      a.click();
      a.remove();
    }),
  );
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "danger";
  remove.textContent = "Remove";
  remove.setAttribute("aria-label", `Remove ${att.filename}`);
  remove.addEventListener("click", () =>
    guarded(remove, async () => {
      if (!confirm(`Remove "${att.filename}"?`)) return;
      await api("DELETE", attachmentsPath(`/${encodeURIComponent(att.id)}`));
      announce(`Removed ${att.filename}`);
      await loadAttachments();
      $("#upload-form [name=file]").focus();
    }),
  );
  li.append(name, download, remove);
  return li;
}

$("#upload-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const file = form.file.files[0];
  if (!file) {
    showError(new Error("Choose a file to attach first."));
    return;
  }
  guarded(form.querySelector("button[type=submit]"), async () => {
    const progress = $("#upload-progress");
    progress.hidden = false;
    progress.removeAttribute("value"); // indeterminate
    try {
      await uploadFile(editing.task.id, file);
      form.reset();
      announce(`Attached ${file.name}`);
      await loadAttachments();
    } finally {
      progress.hidden = true;
    }
  });
});

async function presignedUpload(file, taskId) {
  // Large files go straight to the store; the API only signs and then records them.
  const contentType = file.type || "application/octet-stream";
  const { data: upload } = await api("POST", attachmentsPath("/uploads", taskId), {
    json: { filename: file.name, content_type: contentType, size: file.size },
  });
  let resp;
  try {
    if (upload.method === "POST") {
      const form = new FormData();
      for (const [key, value] of Object.entries(upload.fields || {})) form.append(key, value);
      form.append("file", file, file.name);
      resp = await fetch(upload.url, { method: "POST", body: form });
    } else {
      resp = await fetch(upload.url, { method: "PUT", body: file, headers: upload.headers || {} });
    }
  } catch {
    throw new Error("The upload to file storage failed (network or CORS). Try a smaller file or try again.");
  }
  if (!resp.ok) throw new ApiError(resp.status, await readProblem(resp));
  await api("POST", attachmentsPath(`/uploads/${encodeURIComponent(upload.upload_id)}/complete`, taskId));
}

// ---------------------------------------------------------------------------------------
// Keyboard shortcuts (listed in the help dialog): never while typing or with a modifier.
// ---------------------------------------------------------------------------------------
const SHORTCUTS = {
  "/": () => $("#toolbar [name=q]").focus(),
  n: () => $("#new-task [name=title]").focus(),
  "?": () => $("#shortcuts").showModal(),
};

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || $("#tasks").hidden) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  if (document.querySelector("dialog[open]")) return;
  const action = SHORTCUTS[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});
$("#show-shortcuts").addEventListener("click", () => $("#shortcuts").showModal());
$("#shortcuts-close").addEventListener("click", () => $("#shortcuts").close());

// ---------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------
if (session?.access) signedIn();
else signedOut();
