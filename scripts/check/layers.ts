// The dependency rules `npm run check` enforces (ARCHITECTURE.md explains them), checked by
// dependency-cruiser on the import graph of the bundle (f/) and the harness (scripts/).
import { cruise, type IFlattenedRuleSet, type IViolation } from "dependency-cruiser";

const BUNDLE = "^f/";
const LIB = "^f/devgodzilla/lib/";

/**
 * Infrastructure: the gateways (git, forge, LLM, Windmill API, a repository's files) and the plumbing everything uses (errors,
 * redaction, processes, markdown, telemetry). It knows nothing of the domain.
 */
export const INFRASTRUCTURE = [
  `${LIB}(errors|redact|process|markdown|git)\\.ts$`,
  `${LIB}git/`,
  `${LIB}telemetry/`,
  `${LIB}platform/forge\\.ts$`,
  `${LIB}platform/windmill\\.ts$`,
  `${LIB}llm/(client|config|errors|json|usage)\\.ts$`,
  `${LIB}repo/`,
];

/** Packages only one gateway may import: the door to that boundary. */
const DOORS: { name: string; pkg: string; door: string[]; why: string }[] = [
  {
    name: "processes-through-the-process-and-git-gateways",
    pkg: "execa",
    door: [`${LIB}process\\.ts$`, `${LIB}git/run\\.ts$`],
    why: "git runs through lib/git.ts; any other program through runProcess (lib/process.ts)",
  },
  { name: "no-simple-git", pkg: "simple-git", door: [], why: "git runs through lib/git.ts" },
  {
    name: "windmill-api-through-the-windmill-gateway",
    pkg: "windmill-client",
    door: [`${LIB}platform/windmill\\.ts$`],
    why: "the Windmill API is reached through lib/platform/windmill.ts (paging, timeouts, typed WindmillError)",
  },
  {
    name: "llm-sdks-through-the-llm-gateway",
    pkg: "(openai|@anthropic-ai/sdk)",
    door: [`${LIB}llm/client\\.ts$`],
    why: "LLM calls go through createLlm (lib/llm/client.ts)",
  },
];

export const RULES: IFlattenedRuleSet = {
  forbidden: [
    {
      name: "bundle-stays-out-of-the-harness",
      comment: "Windmill runs f/ alone: nothing in the bundle may import the runner, the fakes, the checks, tests or benchmarks",
      severity: "error",
      from: { path: BUNDLE },
      to: { path: "^(scripts|tests|bench)/" },
    },
    {
      name: "no-folder-cycles",
      comment: "folders form layers: when two folders need each other, move the shared piece down into a lower one",
      severity: "error",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-module-cycles",
      comment: "modules import each other in one direction",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "infrastructure-imports-no-domain",
      comment: "gateways and plumbing take what they need as parameters or structural types, never from domain modules",
      severity: "error",
      from: { path: INFRASTRUCTURE },
      to: { path: BUNDLE, pathNot: INFRASTRUCTURE },
    },
    {
      name: "git-gateway-has-one-door",
      comment: "lib/git/* is reached through lib/git.ts only",
      severity: "error",
      from: { pathNot: `${LIB}git(\\.ts$|/)` },
      to: { path: `${LIB}git/` },
    },
    ...DOORS.map(({ name, pkg, door, why }) => ({
      name,
      comment: why,
      severity: "error" as const,
      from: { path: BUNDLE, pathNot: door.length ? door : undefined },
      to: { path: `(^|/)node_modules/${pkg}/` },
    })),
  ],
};

export interface LayerProblem {
  rule: string;
  message: string;
}

/** Cruises `dirs` under `baseDir` and returns every broken rule, one line each. */
export async function layerProblems(baseDir: string, dirs: string[] = ["f", "scripts"]): Promise<LayerProblem[]> {
  const out = await cruise(dirs, {
    baseDir,
    validate: true,
    ruleSet: RULES,
    tsPreCompilationDeps: true, // type-only imports are dependencies too
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/.*\\.d\\.ts$" },
  });
  const result = out.output;
  if (typeof result === "string") throw new Error(`dependency-cruiser returned text instead of a result: ${result.slice(0, 200)}`);
  return result.summary.violations.map((v) => ({ rule: v.rule.name, message: describe(v) }));
}

function describe(v: IViolation): string {
  const rule = RULES.forbidden?.find((r) => r.name === v.rule.name);
  const path = v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)].join(" → ") : `${v.from} → ${v.to}`;
  return `${v.rule.name}: ${path}${rule?.comment ? ` (${rule.comment})` : ""}`;
}
