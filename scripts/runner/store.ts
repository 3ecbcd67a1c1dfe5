// Resources and variables for the local runner: Windmill keeps them in the workspace; here they come
// from a git-ignored YAML file (resources/local.yaml, format in resources/local.example.yaml) and from
// environment variables. `$res:<path>` and `$var:<path>` strings resolve exactly where Windmill resolves
// them: in job arguments and inside resource values, at any depth.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";
import { REPO_ROOT } from "./bundle.ts";

export interface LocalStore {
  resources: Record<string, { resource_type?: string; value: unknown; description?: string }>;
  variables: Record<string, string>;
}

const StoreFile = z
  .object({
    resources: z.record(z.string(), z.object({ resource_type: z.string().optional(), value: z.unknown(), description: z.string().optional() })).default({}),
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  })
  .strict();

export const DEFAULT_STORE_FILE = path.join(REPO_ROOT, "resources", "local.yaml");

/** One or more `$res:`/`$var:` references that name nothing: all of them, in one message. */
export class MissingReferenceError extends Error {
  readonly refs: string[];
  /** The user's to fix (errors.ts: not retried, exit 2). */
  readonly userError = true;
  constructor(refs: string | string[], storeFile: string) {
    const list = (Array.isArray(refs) ? refs : [refs]).map((ref) => {
      const [kind, p] = ref.startsWith("$res:") ? (["resource", ref.slice(5)] as const) : (["variable", ref.slice(5)] as const);
      return { ref, kind, p, env: envName(kind === "resource" ? "RES" : "VAR", p) };
    });
    const file = path.relative(process.cwd(), storeFile) || storeFile;
    const sections = [...new Set(list.map((m) => (m.kind === "resource" ? "resources:" : "variables:")))].join(" / ");
    const names = list.map((m) => `${m.kind} "${m.p}"`);
    super(
      (list.length === 1 ? `${names[0]} is not defined` : `${list.length} references are not defined: ${names.join(", ")}`) +
        ` — add ${list.length === 1 ? "it" : "them"} under ${sections} in ${file} or set ${list.map((m) => m.env).join(", ")}`,
    );
    this.name = "MissingReferenceError";
    this.refs = list.map((m) => m.ref);
  }
}

/** DEVGODZILLA_VAR_F_DEVGODZILLA_OPENAI_KEY for variable f/devgodzilla/openai_key. */
export function envName(kind: "RES" | "VAR", p: string): string {
  return `DEVGODZILLA_${kind}_${p.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export function loadStore(file = process.env.DEVGODZILLA_RESOURCES_FILE ?? DEFAULT_STORE_FILE): { store: LocalStore; file: string } {
  if (!existsSync(file)) return { store: { resources: {}, variables: {} }, file };
  const parsed = StoreFile.safeParse(YAML.parse(readFileSync(file, "utf8")) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join(".") || "(top level)"}: ${issue.message} — see resources/local.example.yaml for the format`);
  }
  return { store: parsed.data, file };
}

export class Resolver {
  readonly redactor = new Redactor();
  constructor(
    readonly store: LocalStore,
    readonly storeFile = DEFAULT_STORE_FILE,
    private readonly env = process.env,
  ) {}

  variable(p: string): string {
    return this.resolve(`$var:${p}`);
  }

  resource(p: string, seen: string[] = []): unknown {
    return this.resolve(`$res:${p}`, seen);
  }

  resourceType(p: string): string | undefined {
    return this.store.resources[p]?.resource_type;
  }

  /** Replaces every `$res:`/`$var:` string inside a JSON value by what it names; every missing one is named in one error. */
  resolve<T>(value: T, seen: string[] = []): T {
    const missing: string[] = [];
    const out = this.walk(value, seen, missing);
    if (missing.length) throw new MissingReferenceError([...new Set(missing)], this.storeFile);
    return out;
  }

  private walk<T>(value: T, seen: string[], missing: string[]): T {
    if (typeof value === "string") {
      if (value.startsWith("$var:")) {
        const v = this.env[envName("VAR", value.slice(5))] ?? this.store.variables[value.slice(5)];
        if (v === undefined) missing.push(value);
        else this.redactor.add(v); // every variable is treated as a secret
        return (v ?? value) as T;
      }
      if (!value.startsWith("$res:")) return value;
      const p = value.slice(5);
      if (seen.includes(p)) throw new Error(`resource reference cycle: ${[...seen, p].join(" → ")}`);
      const fromEnv = this.env[envName("RES", p)];
      const raw = fromEnv !== undefined ? JSON.parse(fromEnv) : this.store.resources[p]?.value;
      if (raw === undefined) {
        missing.push(value);
        return value;
      }
      const resolved = this.walk(raw, [...seen, p], missing);
      this.redactor.addFrom(resolved);
      return resolved as T;
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, seen, missing)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.walk(v, seen, missing)])) as T;
    }
    return value;
  }
}
