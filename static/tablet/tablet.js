// Résumé experiences add a "companies" screen after the profile (MBTI → three companies →
// pick one) and show the cover letter as it is written while the visitor waits.
// Tablet flow: attract → consent → profile → camera → preview → sending → waiting → ready
// (or → review, when staff approve results before the display shows them).
// Nothing leaves the tablet before the visitor agrees and presses "Use this photo".
// A signed-out tablet (its device session ended) shows "signed-out" until staff sign in.
import { keepConnected } from "../booth/socket.js";
import { isSignedOut, keepAwake, keepCheckingIn, offerFullScreen } from "./kiosk.js";
import { clearLetter, renderLetter } from "../booth/letter.js";

let config = JSON.parse(document.getElementById("tablet-config").textContent);
let strings = document.getElementById("strings").dataset;
const $ = (selector) => document.querySelector(selector);
// Kit colour swatches: painted from data-swatch here, since the page's Content Security
// Policy allows no inline style attributes.
document.querySelectorAll("[data-swatch]").forEach((swatch) => {
  swatch.style.backgroundColor = swatch.dataset.swatch;
});
// A visitor idle this long is asked "Still there?" and, after the warning's countdown,
// the tablet starts over for the next one. Any touch, key or typing counts as activity.
const IDLE_RESET_MS = (config.idleSeconds ?? 90) * 1000;
const WARNING_MS = Math.min((config.stillThereSeconds ?? 15) * 1000, IDLE_RESET_MS);
const POLL_MS = 3000;
// While the booth answers 503 (a database or Redis restart) or cannot be reached, the
// photo is kept and sent again with the same Idempotency-Key, so a retry never makes a
// second job; after RETRY_FOR_MS the visitor is asked to try again.
const RETRY_FOR_MS = 120000;
const RETRY_MAX_WAIT_MS = 5000;

let current = "attract";
let stream = null;
let photo = null; // Blob
let pendingJob = null;
let consented = null; // { version, language } of the consent text the visitor agreed to
let socketConnected = false;
const outcomes = new Map(); // job id → outcome pushed before the upload response arrived
const earlyLetters = new Map(); // job id → letter pushes that came before the upload answer
let company = null; // the company the résumé visitor picked
let resetTimer = null;
let warningTimer = null;
let warningTick = null;
let pollTimer = null;
let signedOut = false;
// Screens between visitors: a sign-out found meanwhile is shown at once; mid-flow it waits
// for the visitor's photo (whose upload then says so) or the next reset.
const BETWEEN_VISITORS = ["attract", "declined", "ready", "review", "rejected", "failed"];

function show(name, { announce = true } = {}) {
  current = name;
  document.querySelectorAll("[data-screen]").forEach((section) => {
    section.hidden = section.dataset.screen !== name;
  });
  document.body.dataset.current = name;
  const letter = $("#letter");
  if (letter) letter.hidden = !["waiting", "ready", "review"].includes(name) || !letter.firstChild;
  scheduleReset();
  if (announce) announceScreen(name);
}

// Screens announce themselves: focus moves to the new screen's heading (so a screen
// reader and a keyboard start there, not at <body>), and the polite live region says it.
function announceScreen(name) {
  const heading = document.querySelector(`[data-screen="${name}"] :is(h1, h2)`);
  if (!heading) return;
  heading.focus({ preventScroll: true });
  $("#announcer").textContent = heading.textContent.trim();
}

function scheduleReset() {
  clearTimeout(resetTimer);
  clearTimeout(warningTimer);
  hideWarning();
  // The job's outcome moves on; a signed-out tablet waits for staff.
  if (["waiting", "sending", "signed-out"].includes(current)) return;
  const shown = config.resetSeconds * 1000;
  const delays = { attract: 0, declined: 6000, ready: shown, review: shown };
  if (current in delays) {
    if (delays[current]) resetTimer = setTimeout(reset, delays[current]);
    return;
  }
  // Mid-flow (consent, profile, camera, preview…): warn before wiping what they did.
  warningTimer = setTimeout(showWarning, IDLE_RESET_MS - WARNING_MS);
}

function showWarning() {
  const dialog = $("#still-there");
  const deadline = Date.now() + WARNING_MS;
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    $("#still-there-count").textContent = strings.stillThere.replace("%(seconds)s", seconds);
  };
  tick();
  dialog.hidden = false;
  $("#still-there-heading").focus({ preventScroll: true });
  warningTick = setInterval(tick, 1000);
  resetTimer = setTimeout(reset, WARNING_MS);
}

function hideWarning() {
  clearInterval(warningTick);
  const dialog = $("#still-there");
  if (dialog.hidden) return;
  dialog.hidden = true;
  announceScreen(current); // focus back where the visitor was
}

// Anything the visitor does keeps their session: a touch, a key, typing, the countdown.
// While "Still there?" shows, a touch goes to the dialog (its click dismisses it), so the
// touch that dismisses it cannot also press a button hidden beneath.
function activity(event) {
  if (current === "attract") return;
  if (event?.type === "pointerdown" && !$("#still-there").hidden) return;
  scheduleReset();
}

function reset() {
  clearInterval(warningTick);
  $("#still-there").hidden = true;
  stopCamera();
  photo = null;
  pendingJob = null;
  consented = null;
  company = null;
  earlyLetters.clear();
  if ($("#letter")) clearLetter($("#letter"));
  $("#age-estimate").hidden = true;
  clearInterval(pollTimer);
  $("#profile").reset();
  show(signedOut ? "signed-out" : "attract");
}

// The device session ended (deleted, or the tablet was off longer than its lifetime): say
// so, with the way back for staff, rather than fail at every visitor's photo.
function signOut({ now = false } = {}) {
  signedOut = true;
  if (now || BETWEEN_VISITORS.includes(current)) reset();
}

async function startCamera() {
  show("camera");
  if (stream) return;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    $("#video").srcObject = stream;
  } catch {
    $("#rejected-message").textContent = strings.camera;
    show("rejected");
  }
}

function stopCamera() {
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function shoot() {
  const countdown = $("#countdown");
  for (const n of [3, 2, 1]) {
    countdown.textContent = n;
    activity(); // the visitor is posing: not idle
    await sleep(700);
  }
  countdown.textContent = "";
  const video = $("#video");
  const canvas = $("#canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  photo = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  $("#preview").src = URL.createObjectURL(photo);
  show("preview");
}

function csrfToken() {
  return document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ?? "";
}

// One key per photo; getRandomValues also works on a plain-http venue network, where
// crypto.randomUUID is unavailable.
function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Seconds from Retry-After, else a doubling pause; capped so the visitor is not kept long.
function retryDelay(response, attempt) {
  const told = Number(response?.headers.get("Retry-After"));
  const ms = told > 0 ? told * 1000 : 500 * 2 ** attempt;
  return Math.min(ms, RETRY_MAX_WAIT_MS);
}

async function send(form, key) {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    let response = null;
    try {
      response = await fetch(`/api/stations/${config.station}/captures/`, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Idempotency-Key": key },
      });
    } catch {
      /* unreachable: retried below like a 503 */
    }
    const transient = response === null || [502, 503, 504].includes(response.status);
    if (!transient || Date.now() - started > RETRY_FOR_MS) return response;
    $("#sending-retry").hidden = false;
    await sleep(retryDelay(response, attempt));
    if (current !== "sending") return null; // reset meanwhile
  }
}

async function submit() {
  show("sending");
  $("#sending-retry").hidden = true;
  const form = new FormData($("#profile"));
  form.append("image", photo, "capture.jpg");
  // The consent the visitor read and agreed to, even if they switched language since.
  form.append("consent_version", consented?.version ?? config.consentVersion);
  form.append("language", consented?.language ?? config.language);
  if (config.resume && company !== null) form.append("company", company);
  const response = await send(form, newIdempotencyKey());
  if (current !== "sending") return;
  if (response === null) return rejected(strings.network);
  const body = await response.json().catch(() => ({}));
  if (isSignedOut(response, body, config.loginUrl)) return signOut({ now: true });
  if (!response.ok) return rejected(body.detail || strings.network, body.code);
  stopCamera();
  pendingJob = body.job;
  showAge(body.age_range);
  show("waiting");
  for (const letter of earlyLetters.get(pendingJob) ?? []) showLetter(letter);
  earlyLetters.clear();
  if (outcomes.has(pendingJob)) return finish(outcomes.get(pendingJob));
  pollTimer = setInterval(() => !socketConnected && poll(body.status_url), POLL_MS);
}

function rejected(message, code = "") {
  // The server's sentence says what to do (come closer, face the camera, one person at a
  // time…), in the visitor's language; the code is kept for styling and tests.
  $("#rejected-message").textContent = message;
  $("#rejected-message").dataset.code = code;
  show("rejected");
}

async function poll(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (response.ok) handleOutcome(body);
    else if (isSignedOut(response, body, config.loginUrl)) signOut();
  } catch {
    /* the socket or the next poll will tell */
  }
}

// "Our AI guesses you are 25 to 32": only when the face detector estimates ages (Rekognition).
function showAge(range) {
  const line = $("#age-estimate");
  if (!Array.isArray(range) || range.length !== 2) return;
  line.textContent = strings.age.replace("%(low)s", range[0]).replace("%(high)s", range[1]);
  line.hidden = false;
}

function showLetter(message) {
  const container = $("#letter");
  if (!container) return;
  if (message.job !== pendingJob) {
    // Pushed before the upload's answer told us our job's number: kept until it does.
    if (current === "sending") {
      earlyLetters.set(message.job, [...(earlyLetters.get(message.job) ?? []), message]);
    }
    return;
  }
  renderLetter(container, message.sections);
  if (message.done) container.dataset.done = "true";
  container.hidden = !["waiting", "ready", "review"].includes(current);
  activity(); // reading counts as being there
}

async function loadCompanies() {
  const list = $("#companies");
  list.replaceChildren();
  $("#companies-error").hidden = true;
  $("#companies-empty").hidden = true;
  show("companies");
  const mbti = new FormData($("#profile")).get("mbti") || "";
  const language = consented?.language ?? config.language;
  try {
    const query = new URLSearchParams({ mbti, language });
    const response = await fetch(`/api/stations/${config.station}/companies/?${query}`, {
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`companies: ${response.status}`);
    const { companies } = await response.json();
    for (const offer of companies) {
      const button = Object.assign(document.createElement("button"), { type: "button" });
      button.className = "company";
      button.dataset.action = "pick";
      button.dataset.company = String(offer.id);
      const name = Object.assign(document.createElement("strong"), { textContent: offer.name });
      const reason = Object.assign(document.createElement("span"), { textContent: offer.reason });
      button.append(name, reason);
      list.append(button);
    }
    $("#companies-empty").hidden = companies.length > 0; // staff: import the library
  } catch {
    $("#companies-error").hidden = false;
  }
}

function handleOutcome(outcome) {
  if (outcome.type === "letter") return showLetter(outcome);
  if (outcome.type !== "job" || !["succeeded", "failed"].includes(outcome.state)) return;
  if (outcome.job !== pendingJob) {
    outcomes.set(outcome.job, outcome);
    return;
  }
  finish(outcome);
}

function finish(outcome) {
  clearInterval(pollTimer);
  pendingJob = null;
  if (outcome.state === "succeeded") {
    show(outcome.awaiting_review ? "review" : "ready"); // pre-moderation: staff review first
  } else {
    $("#failed-message").textContent = outcome.error || strings.failed;
    show("failed");
  }
}

document.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  const actions = {
    start: () => show("consent"),
    accept: () => {
      consented = { version: config.consentVersion, language: config.language };
      show("profile");
    },
    decline: () => show("declined"),
    shoot,
    retake: startCamera,
    submit,
    pick: () => {
      company = Number(event.target.closest("[data-company]").dataset.company);
      startCamera();
    },
    reset,
    "still-here": scheduleReset,
  };
  actions[action]?.();
});
$("#still-there").addEventListener("click", () => scheduleReset());
// Not "change": the warning's own focus move blurs a typed field, which fires one.
for (const type of ["pointerdown", "keydown", "input"]) {
  document.addEventListener(type, activity, { capture: true, passive: true });
}
// Switching language keeps the visitor where they are: the page in the other language is
// fetched (the switch form's own POST, which sets the language cookie and redirects back
// here) and its texts replace these, element by element ([data-t]), so the photo, the
// camera and the typed nickname stay. If that fails, the attract screen reloads the
// ordinary way; mid-flow the visitor keeps their photo and nickname in the old language.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches(".tablet-bar .language-switch")) return;
  event.preventDefault();
  const button = event.submitter;
  switchLanguage(form, button).catch(() => {
    if (!["attract", "signed-out"].includes(current) || !button) return;
    const choice = Object.assign(document.createElement("input"), { type: "hidden" });
    Object.assign(choice, { name: button.name, value: button.value });
    form.append(choice);
    form.submit(); // submit() sends no submitter: the choice goes as a hidden field
  });
});

async function switchLanguage(form, button) {
  const body = new FormData(form);
  if (button?.name) body.set(button.name, button.value);
  const response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
  if (!response.ok) throw new Error(`language switch: ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("tablet-config");
  if (!fresh) throw new Error("language switch: not the tablet page");
  const incoming = page.querySelectorAll("[data-t]");
  const mine = document.querySelectorAll("[data-t]");
  if (incoming.length !== mine.length) throw new Error("language switch: a different page");
  mine.forEach((element, i) => {
    element.innerHTML = incoming[i].innerHTML;
  });
  document.querySelectorAll("[data-t-alt]").forEach((element, i) => {
    const alt = page.querySelectorAll("[data-t-alt]")[i]?.getAttribute("data-t-alt");
    if (alt) element.alt = element.dataset.tAlt = alt;
  });
  config = { ...config, ...JSON.parse(fresh.textContent) };
  strings = page.getElementById("strings").dataset;
  document.documentElement.lang = page.documentElement.lang;
  document.title = page.title;
  form.replaceWith(document.adoptNode(page.querySelector(".tablet-bar .language-switch")));
  announceScreen(current);
}
$("#profile").addEventListener("submit", (event) => {
  event.preventDefault();
  if (config.resume) loadCompanies();
  else startCamera();
});

keepConnected(`/ws/stations/${config.station}/`, {
  onMessage: handleOutcome,
  onStatus: ({ connected }) => {
    socketConnected = connected;
  },
});
keepCheckingIn({
  url: `/api/stations/${config.station}/session/`,
  everyMs: config.sessionCheckSeconds * 1000,
  loginUrl: config.loginUrl,
  csrfToken,
  onSignedOut: signOut,
});
keepAwake($("#screen-awake"));
offerFullScreen($("#full-screen"));
show("attract", { announce: false });
