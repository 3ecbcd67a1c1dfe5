// QA configuration: the `c_devgodzilla_qa` resource (schema in resources/c_devgodzilla_qa.resource-type.yaml).
// Every field is optional; the defaults are DevGodzilla's. Principles are named by the project's own
// ids (its numerals, or titles as slugs); a principle's mode defaults to what its statements and
// marking say (principles.ts principleMode). QA's own gates and the mechanical checks are named.

import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { SandboxLimitFields } from "../sandbox/limits.ts";

export const GateModeSchema = z.enum(["blocking", "warning", "off"]);

/** QA's own gates and the mechanical checks, as `gates` names them. */
export const GATE_NAMES = [
  "empty-work",
  "scope",
  "test-integrity",
  "criteria",
  "test-first",
  "no-secrets",
  "injection",
  "integration-tests",
  "library-use",
  "abstraction",
  "simplicity",
] as const;

export const QaConfigSchema = z
  .object({
    /** Per QA gate or mechanical check by name ("test-integrity", "scope", "test-first", "no-secrets" …): blocking | warning | off. */
    gates: z.partialRecord(z.enum(GATE_NAMES), GateModeSchema).default({}),
    /** Per principle of the project's constitution, by the project's own id ("III", "5", "library-first"): blocking | warning | off. */
    principles: z.record(z.string(), GateModeSchema).default({}),
    weights: z
      .object({
        gates: z.number().min(0).default(0.3),
        checklist: z.number().min(0).default(0.4),
        checks: z.number().min(0).default(0.3),
      })
      .prefault({}),
    /** Passing score (0..1) when nothing blocks. */
    threshold: z.number().min(0).max(1).default(0.7),
    checklist: z
      .object({
        enabled: z.boolean().default(true),
        /** Tokens of evidence sent per item (prompt text excluded). */
        token_budget: z.number().int().min(500).default(8000),
        /** Chunks ranked per item before the budget cut. */
        top_k: z.number().int().min(1).max(50).default(12),
        chunk_lines: z.number().int().min(10).max(400).default(60),
        /** Checklist items are required unless tagged (optional); acceptance scenarios always are. */
        required_by_default: z.boolean().default(true),
        /** Score multiplier for chunks of files changed between base and head. */
        changed_boost: z.number().min(1).default(1.5),
        embeddings: z
          .object({
            enabled: z.boolean().default(false),
            model: z.string().default("text-embedding-3-small"),
            /** Candidates (BM25 top-N) re-ranked with embeddings. */
            candidates: z.number().int().min(5).max(500).default(60),
          })
          .prefault({}),
      })
      .prefault({}),
    checks: z
      .object({
        /** Run the project's install command first (sandbox setup phase, network on). */
        install: z.boolean().default(true),
        lint: z.boolean().default(true),
        typecheck: z.boolean().default(true),
        test: z.boolean().default(true),
        timeout_seconds: z.number().int().min(5).default(600),
        /** Run without the sandbox when it is unavailable (default: refuse, as the design says). */
        allow_unsandboxed: z.boolean().default(false),
        /** Also run the tests at the base commit, to catch tests that stopped running (fewer, deleted, skipped). */
        compare_base: z.boolean().default(true),
        /** Processes + threads and memory of each check's sandbox (lib/sandbox's defaults when absent). */
        ...SandboxLimitFields,
      })
      .prefault({}),
  })
  .strict();

export type QaConfig = z.infer<typeof QaConfigSchema>;

export function parseQaConfig(raw: unknown, file = "c_devgodzilla_qa"): QaConfig {
  const r = QaConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const gateKey = issue.path[0] === "gates";
    const hint = gateKey
      ? `gates are named ${GATE_NAMES.join(", ")}; a principle of the constitution goes under "principles" by its own id (e.g. "principles": {"III": "warning"})`
      : "see resources/c_devgodzilla_qa.resource-type.yaml";
    throw new ConfigError(file, issue.path.join(".") || undefined, issue.message, hint);
  }
  return r.data;
}
