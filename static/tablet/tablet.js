// Tablet flow: attract → consent → profile → camera → preview → sending → waiting → ready
// (or → review, when staff approve results before the display shows them).
// Nothing leaves the tablet before the visitor agrees and presses "Use this photo".
import { keepConnected } from "../booth/socket.js";

const config = JSON.parse(document.getElementById("tablet-config").textContent);
const strings = document.getElementById("strings").dataset;
const $ = (selector) => document.querySelector(selector);
// Kit colour swatches: painted from data-swatch here, since the page's Content Security
// Policy allows no inline style attributes.
document.querySelectorAll("[data-swatch]").forEach((swatch) => {
  swatch.style.backgroundColor = swatch.dataset.swatch;
});
const IDLE_RESET_MS = 90000;
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
let socketConnected = false;
const outcomes = new Map(); // job id → outcome pushed before the upload response arrived
let resetTimer = null;
let pollTimer = null;

function show(name) {
  current = name;
  document.querySelectorAll("[data-screen]").forEach((section) => {
    section.hidden = section.dataset.screen !== name;
  });
  document.body.dataset.current = name;
  scheduleReset();
}

function scheduleReset() {
  clearTimeout(resetTimer);
  if (current === "waiting" || current === "sending") return; // the job's outcome moves on
  const shown = config.resetSeconds * 1000;
  const delays = { attract: 0, declined: 6000, ready: shown, review: shown };
  const ms = current in delays ? delays[current] : IDLE_RESET_MS;
  if (ms) resetTimer = setTimeout(reset, ms);
}

function reset() {
  stopCamera();
  photo = null;
  pendingJob = null;
  clearInterval(pollTimer);
  $("#profile").reset();
  show("attract");
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
  form.append("consent_version", config.consentVersion);
  form.append("language", config.language);
  const response = await send(form, newIdempotencyKey());
  if (current !== "sending") return;
  if (response === null) return rejected(strings.network);
  const body = await response.json().catch(() => ({}));
  if (response.status === 403 && !body.detail) return window.location.reload();
  if (!response.ok) return rejected(body.detail || strings.network, body.code);
  stopCamera();
  pendingJob = body.job;
  show("waiting");
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
    if (response.ok) handleOutcome(await response.json());
  } catch {
    /* the socket or the next poll will tell */
  }
}

function handleOutcome(outcome) {
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
    accept: () => show("profile"),
    decline: () => show("declined"),
    shoot,
    retake: startCamera,
    submit,
    reset,
  };
  actions[action]?.();
});
document.addEventListener("pointerdown", scheduleReset);
$("#profile").addEventListener("submit", (event) => {
  event.preventDefault();
  startCamera();
});

keepConnected(`/ws/stations/${config.station}/`, {
  onMessage: handleOutcome,
  onStatus: ({ connected }) => {
    socketConnected = connected;
  },
});
show("attract");
