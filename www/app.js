// The demo page: sign in (the demo backend mints a short-lived proxy token), a form rendered
// from the contract (form.js), submitted through the edge proxy (no key in the browser),
// watched with progress, and a history that resumes running tasks after a reload
// (history.js). This file wires the page's controls to them. Must not: hold their logic.
import { $ } from "./dom.js";
import { state } from "./page.js";
import { enter, signOut } from "./session.js";
import { payload, startForm, update } from "./form.js";
import { generate, renderHistory, resumeRunning } from "./history.js";

/** Signed in: the history, and every running task resumed. */
async function signedIn(name) {
  await enter(name);
  renderHistory();
  resumeRunning();
}

$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("signin-error").textContent = "";
  try {
    await signedIn($("name").value.trim());
  } catch (err) {
    $("signin-error").textContent = err.message;
  }
});
$("signout").addEventListener("click", () => signOut("Signed out."));
// Enabled once the form is handled here: a click while the page still loads (the wasm is
// fetched and compiled first) would submit the form natively and reload the page.
$("signin-button").disabled = false;

startForm();

$("submit").addEventListener("click", () => {
  state.submitTried = true;
  if (!update()) return;
  generate(state.model, payload());
});

// Signed in before this load: straight back in (running tasks resume).
const remembered = localStorage.getItem("aivideo-demo-name");
if (remembered) signedIn(remembered).catch(() => signOut("Sign in again."));
