// Every script's .script.yaml must carry the input schema Windmill derives from `main`'s signature,
// so the Windmill UI form cannot drift from the code. `npm run gen:schemas` rewrites them;
// `npm run check` fails on any difference.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import YAML from "yaml";
import { REPO_ROOT, signatureOf } from "../runner/bundle.ts";
import { schemaFromSignature, type JsonSchema } from "../runner/signature.ts";

/** Folders under f/ that hold shared modules, not scripts (imported by relative path). */
const NOT_SCRIPTS = new Set(["lib", "prompts"]);

/** Script files of a sync tree: every .ts under f/ outside lib/, prompts/ and flow folders. */
export function listScriptFiles(root = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!NOT_SCRIPTS.has(e.name) && !e.name.endsWith("__flow") && e.name !== "node_modules") walk(full);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")) out.push(full);
    }
  };
  const f = path.join(root, "f");
  if (existsSync(f)) walk(f);
  return out.sort();
}

export const metadataFile = (scriptFile: string) => scriptFile.replace(/\.ts$/, ".script.yaml");

type Metadata = { summary?: string; description?: string; lock?: string; kind?: string; schema?: JsonSchema; has_preprocessor?: boolean; [k: string]: unknown };

async function expected(file: string, current: Metadata): Promise<Metadata> {
  const sig = await signatureOf(file);
  const out: Metadata = {
    summary: current.summary ?? "",
    description: current.description ?? "",
    lock: current.lock ?? "",
    kind: current.kind ?? "script",
    schema: schemaFromSignature(sig, current.schema),
  };
  if (sig.has_preprocessor) out.has_preprocessor = true;
  for (const [k, v] of Object.entries(current)) if (!(k in out) && k !== "has_preprocessor") out[k] = v;
  return out;
}

function readMetadata(file: string): Metadata {
  const meta = metadataFile(file);
  return existsSync(meta) ? ((YAML.parse(readFileSync(meta, "utf8")) ?? {}) as Metadata) : {};
}

export interface Problem {
  file: string;
  message: string;
}

export async function schemaProblems(root = REPO_ROOT): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const file of listScriptFiles(root)) {
    const rel = path.relative(root, metadataFile(file));
    if (!existsSync(metadataFile(file))) {
      problems.push({ file: rel, message: "missing — run `npm run gen:schemas`, then write its summary" });
      continue;
    }
    const current = readMetadata(file);
    let want: Metadata;
    try {
      want = await expected(file, current);
    } catch (e) {
      problems.push({ file: path.relative(root, file), message: (e as Error).message });
      continue;
    }
    if (!current.summary?.trim())
      problems.push({ file: rel, message: "summary is empty — say in a few words what the script does (it titles the Windmill UI form)" });
    const undescribed = Object.entries(current.schema?.properties ?? {})
      .filter(([, v]) => !String((v as { description?: unknown }).description ?? "").trim())
      .map(([k]) => k);
    // The bundle's forms (the conformance scripts under tests/ are nobody's form).
    if (undescribed.length && rel.startsWith(`f${path.sep}devgodzilla${path.sep}`))
      problems.push({
        file: rel,
        message: `parameters without a description: ${undescribed.join(", ")} — describe each in schema.properties (the form's help text; gen:schemas keeps it)`,
      });
    if (!isDeepStrictEqual(current.schema, want.schema)) {
      const have = Object.keys(current.schema?.properties ?? {});
      const need = Object.keys(want.schema?.properties ?? {});
      const diff = need
        .filter((k) => !have.includes(k))
        .map((k) => `+${k}`)
        .concat(have.filter((k) => !need.includes(k)).map((k) => `-${k}`));
      problems.push({
        file: rel,
        message: `schema differs from main's signature${diff.length ? ` (${diff.join(", ")})` : " (types, defaults or required)"} — run \`npm run gen:schemas\``,
      });
    }
    if (Boolean(current.has_preprocessor) !== Boolean(want.has_preprocessor))
      problems.push({ file: rel, message: "has_preprocessor differs from the code — run `npm run gen:schemas`" });
  }
  return problems;
}

/** Rewrites each .script.yaml whose schema is stale; returns the files changed. */
export async function generateSchemas(root = REPO_ROOT): Promise<string[]> {
  const changed: string[] = [];
  for (const file of listScriptFiles(root)) {
    const current = readMetadata(file);
    const want = await expected(file, current);
    if (isDeepStrictEqual(current, want)) continue;
    writeFileSync(metadataFile(file), YAML.stringify(want, { lineWidth: 0 }));
    changed.push(path.relative(root, metadataFile(file)));
  }
  return changed;
}
