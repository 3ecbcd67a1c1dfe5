// Turns the resource objects a script received (RT.Openai, RT.Anthropic, RT.CDevgodzillaLlm)
// into one validated provider config. Credentials come only from these objects — never from
// process.env or a repo file — so what Windmill holds is the single source of secrets.

import { z } from "zod";
import { InputError } from "../errors.ts";

export type Provider = "openai" | "anthropic";

export interface ProviderConfig {
  provider: Provider;
  apiKey: string;
  /** OpenAI-compatible servers (Ollama, vLLM, LiteLLM) or an Anthropic proxy. */
  baseUrl?: string;
  organization?: string;
  model: string;
}

export const DEFAULT_MODELS: Record<Provider, string> = { openai: "gpt-4.1", anthropic: "claude-sonnet-4-6" };

const url = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be http(s)");

export const OpenaiResource = z
  .object({ api_key: z.string().min(1), organization_id: z.string().optional().nullable(), base_url: url.optional().nullable() })
  .passthrough();
export const AnthropicResource = z.object({ apiKey: z.string().min(1), base_url: url.optional().nullable() }).passthrough();
/** c_devgodzilla_llm: one provider-agnostic resource (see resources/c_devgodzilla_llm.resource-type.yaml). */
export const LlmResource = z.object({
  provider: z.enum(["openai", "anthropic"]),
  api_key: z.string().min(1),
  base_url: url.optional().nullable(),
  model: z.string().optional().nullable(),
});

export interface LlmResources {
  llm?: unknown;
  openai?: unknown;
  anthropic?: unknown;
  /** Overrides the resource's model (script parameter). */
  model?: string;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    // Never echo the value: it holds the key.
    const where = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new InputError(field, `invalid resource (${where})`, "pick a resource of the right type in the script form");
  }
  return r.data;
}

const given = (v: unknown): boolean => v !== undefined && v !== null && !(typeof v === "object" && Object.keys(v as object).length === 0);

/** Exactly one of llm / anthropic / openai must be given (scripts pass only `llm`, which may hold any of the three). */
export function providerFromResources(r: LlmResources): ProviderConfig {
  const present = (["llm", "anthropic", "openai"] as const).filter((k) => given(r[k]));
  if (present.length === 0) throw new InputError("llm", "no LLM credentials given", "pass one resource: llm (c_devgodzilla_llm), openai or anthropic");
  if (present.length > 1) throw new InputError(present[1]!, `several LLM resources given (${present.join(", ")})`, "pass only one");
  const model = r.model?.trim() || undefined;
  if (present[0] === "llm") {
    // The scripts' one LLM parameter takes any LLM resource: c_devgodzilla_llm, or an openai or
    // anthropic resource (told apart by their fields).
    const shape = r.llm as { provider?: unknown; apiKey?: unknown; api_key?: unknown };
    if (shape.provider === undefined && shape.apiKey !== undefined) return providerFromResources({ anthropic: r.llm, model });
    if (shape.provider === undefined && shape.api_key !== undefined) return providerFromResources({ openai: r.llm, model });
    const l = parse(LlmResource, r.llm, "llm");
    return { provider: l.provider, apiKey: l.api_key, baseUrl: l.base_url ?? undefined, model: model ?? (l.model || DEFAULT_MODELS[l.provider]) };
  }
  if (present[0] === "anthropic") {
    const a = parse(AnthropicResource, r.anthropic, "anthropic");
    return { provider: "anthropic", apiKey: a.apiKey, baseUrl: a.base_url ?? undefined, model: model ?? DEFAULT_MODELS.anthropic };
  }
  const o = parse(OpenaiResource, r.openai, "openai");
  return {
    provider: "openai",
    apiKey: o.api_key,
    baseUrl: o.base_url ?? undefined,
    organization: o.organization_id ?? undefined,
    model: model ?? DEFAULT_MODELS.openai,
  };
}
