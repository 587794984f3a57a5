// The demo page's session: a name, a token from the demo backend (renewed a minute before it
// expires), the client that sends it to the proxy, and what is left of today's credits.
// Must not: render the form or the history.
import { createClient } from "/pkg/index.js";
import { $, notice } from "./dom.js";
import { proxyUrl, state } from "./page.js";

export async function signIn(name) {
  const r = await fetch("./session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `sign-in failed (HTTP ${r.status})`);
  state.session = { name: body.name, userId: body.userId, token: body.token, renewAt: Date.now() + (body.expiresInSeconds - 60) * 1000 };
  localStorage.setItem("aivideo-demo-name", body.name);
}

async function token() {
  if (state.session && Date.now() > state.session.renewAt) await signIn(state.session.name);
  return state.session?.token ?? "";
}

async function authedFetch(url, init = {}) {
  const r = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${await token()}` } });
  if (r.status === 401) queueMicrotask(() => signOut("Your session ended: sign in again."));
  return r;
}

export function signOut(message) {
  state.session = null;
  state.client = null;
  localStorage.removeItem("aivideo-demo-name");
  for (const id of ["compose", "run", "history", "account"]) $(id).hidden = true;
  $("signin").hidden = false;
  notice(message || "", "info");
}

export async function enter(name) {
  await signIn(name);
  state.client = createClient({ baseUrl: proxyUrl, fetch: authedFetch });
  $("signin").hidden = true;
  $("compose").hidden = false;
  $("account").hidden = false;
  $("who").textContent = state.session.name;
  notice("");
  refreshUsage();
}

/** What is left of today's credits, from the proxy's usage route. */
export async function refreshUsage() {
  try {
    const r = await authedFetch(`${proxyUrl}/api/v1/usage`);
    if (!r.ok) return;
    const u = await r.json();
    $("usage").textContent = u.creditsPerDay == null ? "No daily credit limit" : `${u.creditsLeftToday} of ${u.creditsPerDay} credits left today`;
  } catch {}
}
