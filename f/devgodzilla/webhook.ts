// GitHub / GitLab webhook → f/devgodzilla/spec_to_pr.
// Wired by the HTTP route triggers f/devgodzilla/{github,gitlab}_webhook.http_trigger.yaml
// (raw_string: true). The preprocessor authenticates the request (HMAC over the raw body /
// X-Gitlab-Token, constant time, secret from a Windmill variable) and maps the event; main
// de-duplicates the delivery in Windmill and starts the flow — or returns why it ignored it.
import { findStoredResource } from "./lib/platform/windmill.ts";
import { preprocessWebhook, startFromDecision, type WebhookDecision, type WebhookEvent } from "./lib/platform/webhook.ts";

export async function preprocessor(event: WebhookEvent) {
  const d = await preprocessWebhook(event);
  return { decision: d };
}

export async function main(
  // Inline type (not the imported alias): Windmill's parser reads a named type as a resource type.
  decision: { action: "start" | "ignore"; reason: string; provider?: string; event?: string; delivery_id?: string; inputs?: object },
  flow_path = "f/devgodzilla/spec_to_pr",
  // A path, not a resource picker: Windmill hands main a picked resource with the "$res:" references
  // inside it resolved, and the secrets they name would become the started run's arguments. (The
  // HTTP trigger passes only the preprocessor's `decision`, so the default path is what it uses.)
  defaults_resource = "f/devgodzilla/webhook_defaults",
) {
  // Optional resource of extra spec_to_pr args (agent, "$res:" provider paths, budgets), read as stored.
  const d = decision as WebhookDecision;
  const defaults = d.action === "start" && defaults_resource ? await findStoredResource<Record<string, unknown>>(defaults_resource) : undefined;
  return await startFromDecision(d, { flowPath: flow_path, defaults: defaults ?? {} });
}
