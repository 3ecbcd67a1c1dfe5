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

export class MissingReferenceError extends Error {
  constructor(readonly ref: string, storeFile: string) {
    const [kind, p] = ref.startsWith("$res:") ? ["resource", ref.slice(5)] : ["variable", ref.slice(5)];
    super(
      `${kind} "${p}" is not defined — add it under ${kind === "resource" ? "resources" : "variables"}: in ${path.relative(process.cwd(), storeFile) || storeFile}` +
        ` or set ${envName(kind === "resource" ? "RES" : "VAR", p)}`,
    );
    this.name = "MissingReferenceError";
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
  constructor(readonly store: LocalStore, readonly storeFile = DEFAULT_STORE_FILE, private readonly env = process.env) {}

  variable(p: string): string {
    const fromEnv = this.env[envName("VAR", p)];
    const value = fromEnv ?? this.store.variables[p];
    if (value === undefined) throw new MissingReferenceError(`$var:${p}`, this.storeFile);
    this.redactor.add(value); // every variable is treated as a secret
    return value;
  }

  resource(p: string, seen: string[] = []): unknown {
    if (seen.includes(p)) throw new Error(`resource reference cycle: ${[...seen, p].join(" → ")}`);
    const fromEnv = this.env[envName("RES", p)];
    const raw = fromEnv !== undefined ? JSON.parse(fromEnv) : this.store.resources[p]?.value;
    if (raw === undefined) throw new MissingReferenceError(`$res:${p}`, this.storeFile);
    const value = this.resolve(raw, [...seen, p]);
    this.redactor.addFrom(value);
    return value;
  }

  resourceType(p: string): string | undefined {
    return this.store.resources[p]?.resource_type;
  }

  /** Replaces every `$res:`/`$var:` string inside a JSON value by what it names. */
  resolve<T>(value: T, seen: string[] = []): T {
    if (typeof value === "string") {
      if (value.startsWith("$res:")) return this.resource(value.slice(5), seen) as T;
      if (value.startsWith("$var:")) return this.variable(value.slice(5)) as T;
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, seen)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, seen)])) as T;
    }
    return value;
  }
}
