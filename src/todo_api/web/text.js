// Words a person reads: problem details turned into sentences, dates in the user's locale.
// Pure functions, so app.js stays about behaviour.

const FIELD_NAMES = {
  title: "The title",
  description: "The description",
  email: "The email address",
  password: "The password",
  name: "The name",
  tags: "Tags",
  due_date: "The due date",
  priority: "The priority",
  username: "The email address",
};

// The API's validator wording (msgspec, see http/decoding.py) -> one sentence per field.
export function fieldSentence({ field, message }) {
  const name = FIELD_NAMES[field] || (field ? `The field “${field}”` : "A value");
  const text = String(message || "");
  if (field === "email" && text.startsWith("Not in the expected form")) {
    return "Enter an email address like name@example.com.";
  }
  if (field === "title" && (text.startsWith("Not in the expected form") || /length >= 1\b/.test(text))) {
    return "Give the task a title (spaces alone do not count).";
  }
  let match = text.match(/length <= (\d+)/);
  if (match) return `${name} can be at most ${match[1]} characters long.`;
  match = text.match(/length >= (\d+)/);
  if (match) return `${name} needs at least ${match[1]} character${match[1] === "1" ? "" : "s"}.`;
  match = text.match(/^Use at least (\d+) characters/);
  if (match) return `${name} needs at least ${match[1]} characters.`;
  if (text === "Field required") return `${name} is required.`;
  if (/^Expected `date`/.test(text) || /^Invalid date/.test(text)) return `${name} is not a valid date.`;
  if (/^Expected .*array.*length <= (\d+)/.test(text)) return `${name}: too many.`;
  if (text.startsWith("Not in the expected form")) return `${name} is not in the expected form.`;
  if (text.startsWith("Expected")) return `${name} has a value this form cannot use.`;
  return `${name}: ${text}`;
}

// A whole-request summary that names no internals ("The request body is invalid").
export function problemSentence(status, problem) {
  const detail = problem.detail || problem.title || "";
  if (/^The (request body|query string) is invalid$/.test(detail)) {
    return "Some fields need attention:";
  }
  if (status === 429) return detail || "Too many attempts. Wait a moment and try again.";
  if (status >= 500 && !problem.detail) return "Something went wrong on the server. Try again in a moment.";
  return detail || `The request failed (${status}).`;
}

function localDay(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(year, month - 1, day);
}

function today() {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

// "today", "tomorrow", "yesterday", else the date as the user's locale writes it.
export function dueText(iso) {
  const days = Math.round((localDay(iso) - today()) / 86_400_000);
  return Math.abs(days) <= 1 ? relative.format(days, "day") : longDate.format(localDay(iso));
}

export function isOverdue(iso) {
  return localDay(iso) < today();
}
