// The webhook route on a server built with http_trigger: GitHub deliveries posted to
// `/api/r/devgodzilla/github` (raw body, X-Hub-Signature-256) on Windmill, and the same trigger event
// handed to f/devgodzilla/webhook's preprocessor on the local runner. Only deliveries that start
// nothing are sent: a signed ping, and one whose signature does not match.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { compareOutcomes, type Outcome, type Row } from "./compare.ts";
import type { Fixture } from "./fixture.ts";
import { runLocal, windmillOutcome } from "./runners.ts";

const ROUTE = "devgodzilla/github";
const SCRIPT = "f/devgodzilla/webhook";
const SECRET_VAR = "f/devgodzilla/github_webhook_secret";

interface Delivery {
  name: string;
  body: string;
  headers: Record<string, string>;
}

function deliveries(secret: string): Delivery[] {
  const body = JSON.stringify({ zen: "test:windmill", hook_id: 1, hook: { type: "Repository", events: ["issues", "issue_comment"] } });
  const signed = (key: string) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
  const headers = (signature: string) => ({
    "content-type": "application/json",
    "x-github-event": "ping",
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": signature,
  });
  return [
    { name: "signed ping", body, headers: headers(signed(secret)) },
    { name: "ping signed with another secret", body, headers: headers(signed(`${secret}-other`)) },
  ];
}

async function viaRoute(server: WindmillServer, d: Delivery): Promise<Outcome> {
  const res = await fetch(`${server.base}/api/r/${ROUTE}`, { method: "POST", headers: d.headers, body: d.body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) return { status: "failure", error: { name: `HTTP ${res.status}`, message: text.slice(0, 300) } };
  // An async route answers with the id of the job it started.
  return windmillOutcome(server, "script", text.trim().replace(/^"|"$/g, ""), 120_000);
}

async function viaPreprocessor(fx: Fixture, secret: string, d: Delivery): Promise<Outcome> {
  // The event Windmill hands a script's preprocessor for an HTTP route with raw_string (v2 format).
  const event = {
    kind: "http",
    body: JSON.parse(d.body),
    raw_string: d.body,
    headers: d.headers,
    query: {},
    method: "POST",
    route: ROUTE,
    path: ROUTE,
    params: {},
  };
  const store = { ...fx.store, variables: { ...fx.store.variables, [SECRET_VAR]: secret } };
  return (await runLocal(SCRIPT, {}, store, fx.stateDir, event)).outcome;
}

/** One row per delivery. The workspace's own secret is used when it has one; otherwise one is made for the run and removed. */
export async function routeRows(server: WindmillServer, fx: Fixture): Promise<Row[]> {
  const existing = await server.call<string>("GET", `w/variables/get_value/${SECRET_VAR}`).catch(() => undefined);
  const secret = existing ?? randomBytes(24).toString("hex");
  if (existing === undefined)
    await server.call("POST", "w/variables/create", { path: SECRET_VAR, value: secret, is_secret: true, description: "test:windmill (removed after the run)" });
  try {
    const rows: Row[] = [];
    for (const d of deliveries(secret)) {
      const [local, windmill] = [await viaPreprocessor(fx, secret, d), await viaRoute(server, d)];
      rows.push({ item: `route POST /api/r/${ROUTE}: ${d.name}`, local, windmill, ...compareOutcomes(local, windmill) });
    }
    return rows;
  } finally {
    if (existing === undefined) await server.call("DELETE", `w/variables/delete/${SECRET_VAR}`).catch(() => undefined);
  }
}
