// The bundle's trigger and schedule files agree with the scripts they point at.
import { createHmac } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { GITHUB_SECRET_VARIABLE } from "../../f/devgodzilla/lib/platform/webhook.ts";

const dir = "f/devgodzilla";
const triggers = readdirSync(dir).filter((f) => f.endsWith(".http_trigger.yaml"));
const schedules = readdirSync(dir).filter((f) => f.endsWith(".schedule.yaml"));

let wm: FakeWindmillApi;
beforeAll(async () => {
  wm = await startWindmillApi({ token: "wm", workspace: "dg", variables: { [GITHUB_SECRET_VARIABLE]: "s3cret-value" } });
  process.env.WM_WORKSPACE = "dg";
  setClient("wm", wm.baseUrl);
});
afterAll(async () => wm.close());

describe("bundle triggers and schedules", () => {
  it("every HTTP route targets a script with a preprocessor and passes the raw body (needed for the HMAC)", () => {
    expect(triggers.sort()).toEqual(["github_webhook.http_trigger.yaml", "gitlab_webhook.http_trigger.yaml"]);
    for (const t of triggers) {
      const cfg = YAML.parse(readFileSync(`${dir}/${t}`, "utf8"));
      expect(cfg.raw_string, t).toBe(true);
      expect(cfg.is_flow).toBe(false);
      expect(cfg.route_path.startsWith("/")).toBe(false);
      const script = `${cfg.script_path}.ts`;
      expect(existsSync(script), script).toBe(true);
      expect(readFileSync(script, "utf8")).toMatch(/export async function preprocessor\(event/);
      expect(YAML.parse(readFileSync(`${cfg.script_path}.script.yaml`, "utf8")).has_preprocessor).toBe(true);
    }
  });
  it("every schedule targets an existing script whose main accepts its args; the nightly sweep is off by default", async () => {
    for (const s of schedules) {
      const cfg = YAML.parse(readFileSync(`${dir}/${s}`, "utf8"));
      expect(cfg.schedule.split(" ")).toHaveLength(6);
      const meta = YAML.parse(readFileSync(`${cfg.script_path}.script.yaml`, "utf8"));
      for (const arg of Object.keys(cfg.args ?? {})) expect(Object.keys(meta.schema.properties), `${s}: ${arg}`).toContain(arg);
      for (const req of meta.schema.required ?? []) expect(Object.keys(cfg.args ?? {}), `${s} misses required ${req}`).toContain(req);
    }
    // Reconcile ships unable to delete anything (README "Run it on Windmill" says how to turn it on).
    expect(YAML.parse(readFileSync(`${dir}/reconcile.schedule.yaml`, "utf8"))).toMatchObject({
      schedule: "0 */5 * * * *",
      enabled: false,
      args: { dry_run: true },
    });
    expect(YAML.parse(readFileSync(`${dir}/issue_sweep.schedule.yaml`, "utf8")).enabled).toBe(false);
  });
  it("a real signed HTTP POST, turned into the route's V2 event, starts one run", async () => {
    // Minimal stand-in for Windmill's route handler: headers + raw body → event → preprocessor → main.
    const cfg = YAML.parse(readFileSync(`${dir}/github_webhook.http_trigger.yaml`, "utf8"));
    expect(cfg.script_path).toBe("f/devgodzilla/webhook");
    const mod = await import("../../f/devgodzilla/webhook.ts");
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      const event = {
        kind: "http",
        route: cfg.route_path,
        path: req.url,
        method: req.method,
        params: {},
        query: {},
        headers: req.headers as Record<string, string>,
        body: JSON.parse(raw),
        raw_string: cfg.raw_string ? raw : null,
      };
      try {
        const args = await mod.preprocessor(event);
        res.end(JSON.stringify(await mod.main(args.decision)));
      } catch (e) {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: (e as Error).message }));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/r/${cfg.route_path}`;
    const payload = {
      action: "labeled",
      label: { name: "devgodzilla" },
      issue: { number: 5, title: "Search box", body: "", state: "open" },
      repository: { full_name: "a/b", clone_url: "https://github.com/a/b.git", default_branch: "main" },
      sender: { login: "x" },
    };
    // Pretty-printed on purpose: the signature covers the exact bytes, not a re-serialisation.
    const raw = JSON.stringify(payload, null, 2);
    const post = (sig: string) =>
      fetch(url, {
        method: "POST",
        body: raw,
        headers: {
          "content-type": "application/json",
          "x-github-event": "issues",
          "x-github-delivery": "7b3f0000-0000-4000-8000-000000000005",
          "x-hub-signature-256": sig,
        },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
    try {
      const bad = await post("sha256=" + createHmac("sha256", "wrong").update(raw).digest("hex"));
      expect(bad.status).toBe(500);
      expect(bad.body.error).toMatch(/does not match/);
      const ok = await post("sha256=" + createHmac("sha256", "s3cret-value").update(raw).digest("hex"));
      expect(ok.body).toMatchObject({ status: "started" });
      const again = await post("sha256=" + createHmac("sha256", "s3cret-value").update(raw).digest("hex"));
      expect(again.body).toMatchObject({ status: "duplicate" });
      expect(wm.runs()).toHaveLength(1);
      expect(wm.runs()[0].args).toMatchObject({ feature_description: "Search box", issue_number: 5 });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
