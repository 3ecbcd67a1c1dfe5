// Finding what a Windmill path names in the local sync tree: `f/devgodzilla/x` is the script
// `f/devgodzilla/x.ts` or the flow `f/devgodzilla/x__flow/flow.yaml` (wmill's nonDottedPaths layout).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { deepFreeze, FileCache } from "./cache.ts";
import { parseSignature, type ParsedSignature } from "./signature.ts";
import type { FlowFile } from "./openflow.ts";

/** The repository root (the wmill sync root), found from this file's location. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type Runnable = { kind: "script"; path: string; file: string } | { kind: "flow"; path: string; file: string; dir: string };

export class UnknownPathError extends Error {
  /** The user's to fix (errors.ts: exit 2). */
  readonly userError = true;
  constructor(
    readonly windmillPath: string,
    root: string,
  ) {
    super(
      `unknown Windmill path "${windmillPath}": neither ${windmillPath}.ts nor ${windmillPath}__flow/flow.yaml exists under ${root}` +
        ` — use a path like f/devgodzilla/<name> (see the f/devgodzilla/ folder)`,
    );
    this.name = "UnknownPathError";
  }
}

export function resolveRunnable(windmillPath: string, root = REPO_ROOT): Runnable {
  const clean = windmillPath.replace(/^\/+/, "").replace(/(\.ts|__flow\/?|__flow\/flow\.yaml)$/, "");
  if (!/^[fu]\/[A-Za-z0-9_./-]+$/.test(clean) || clean.split("/").includes("..")) {
    throw new UnknownPathError(windmillPath, root);
  }
  const flowDir = path.join(root, `${clean}__flow`);
  const flowFile = path.join(flowDir, "flow.yaml");
  if (existsSync(flowFile)) return { kind: "flow", path: clean, file: flowFile, dir: flowDir };
  const script = path.join(root, `${clean}.ts`);
  if (existsSync(script)) return { kind: "script", path: clean, file: script };
  throw new UnknownPathError(windmillPath, root);
}

/** wmill writes inline scripts as `content: '!inline <file>'`, relative to the flow folder. */
function resolveInline(node: unknown, dir: string): unknown {
  if (Array.isArray(node)) return node.map((n) => resolveInline(n, dir));
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) =>
      k === "content" && typeof v === "string" && v.startsWith("!inline ") ? [k, { __inline: path.join(dir, v.slice(8).trim()) }] : [k, resolveInline(v, dir)],
    ),
  );
}

const flows = new FileCache<FlowFile>((file) => {
  const doc = resolveInline(YAML.parse(readFileSync(file, "utf8")), path.dirname(file)) as FlowFile;
  if (!doc || typeof doc !== "object" || !doc.value || !Array.isArray(doc.value.modules)) {
    throw new Error(`${path.relative(REPO_ROOT, file)}: not an OpenFlow file (value.modules is missing)`);
  }
  staticTimeouts(doc.value);
  return deepFreeze(doc);
});

/**
 * Windmill stores a step's `timeout` as an input transform ({type: static, value: 900}), which is
 * how `wmill sync pull` writes it; the engine reads the number either way.
 */
function staticTimeouts(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(staticTimeouts);
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  const t = o.timeout as { type?: unknown; value?: unknown } | undefined;
  if (typeof o.id === "string" && t && typeof t === "object" && t.type === "static" && typeof t.value === "number") o.timeout = t.value;
  for (const v of Object.values(o)) staticTimeouts(v);
}

/** A flow file, parsed once per version of the file (read-only: runs share it). */
export function loadFlow(file: string): FlowFile {
  return flows.get(file);
}

const signatures = new FileCache<Promise<ParsedSignature>>((file) =>
  parseSignature(readFileSync(file, "utf8")).catch((e: Error) => {
    throw new Error(`${path.relative(REPO_ROOT, file)}: ${e.message}`);
  }),
);

/** The parsed `main` signature of a TypeScript file, cached until the file changes. */
export function signatureOf(file: string, mtimeMs?: number): Promise<ParsedSignature> {
  return signatures.get(file, mtimeMs);
}

const scriptTimeouts = new FileCache<number | undefined>((meta) => {
  const t = (YAML.parse(readFileSync(meta, "utf8")) as { timeout?: unknown } | null)?.timeout;
  return typeof t === "number" && t > 0 ? t : undefined;
});

/**
 * A script's own `timeout` (seconds) from its `.script.yaml`: Windmill applies it to the script's
 * jobs, as a flow step too when the step sets none (worker_flow.rs: `payload_tag.timeout`).
 */
export function scriptTimeout(file: string): number | undefined {
  const meta = file.replace(/\.ts$/, ".script.yaml");
  const stat = meta !== file ? statSync(meta, { throwIfNoEntry: false }) : undefined;
  return stat ? scriptTimeouts.get(meta, stat.mtimeMs) : undefined;
}
