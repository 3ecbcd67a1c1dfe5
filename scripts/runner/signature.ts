// The `main` signature of a script as Windmill itself sees it (the official windmill-parser-wasm-ts),
// and the JSON Schema Windmill derives from it for the UI form. Used by the local runner (argument
// order, defaults) and by the bundle check (.script.yaml must equal what Windmill would generate).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export type ArgType =
  | string
  | { str: string[] | null }
  | { resource: string | null }
  | { list: ArgType | null }
  | { object: { name: string | null; props: { key: string; typ: ArgType }[] | null } }
  | { oneof: { label: string; properties: { key: string; typ: ArgType }[] }[] }
  | Record<string, unknown>;

export interface ParsedArg {
  name: string;
  typ: ArgType;
  default: unknown;
  has_default: boolean;
  otyp?: string | null;
}

export interface ParsedSignature {
  args: ParsedArg[];
  has_preprocessor: boolean;
  type?: string;
  error?: string;
}

export type JsonSchema = {
  $schema?: string;
  type: string;
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  [k: string]: unknown;
};

let parser: Promise<(code: string) => string> | undefined;

function loadParser(): Promise<(code: string) => string> {
  parser ??= (async () => {
    const mod = await import("windmill-parser-wasm-ts");
    const wasm = createRequire(import.meta.url).resolve("windmill-parser-wasm-ts/windmill_parser_wasm_bg.wasm");
    await mod.default({ module_or_path: readFileSync(wasm) });
    return (code: string) => mod.parse_deno(code);
  })();
  return parser;
}

export async function parseSignature(code: string): Promise<ParsedSignature> {
  const parse = await loadParser();
  const parsed = JSON.parse(parse(code)) as ParsedSignature;
  if (parsed.type === "Invalid") throw new Error(`main's signature cannot be parsed: ${parsed.error ?? "invalid"}`);
  return parsed;
}

/** JSON Schema for one argument type, as Windmill's argSigToJsonSchemaType produces it. */
function typeSchema(t: ArgType): Record<string, unknown> {
  if (t === "int") return { type: "integer" };
  if (t === "float") return { type: "number" };
  if (t === "bool") return { type: "boolean" };
  if (t === "datetime") return { type: "string", format: "date-time" };
  if (t === "date") return { type: "string", format: "date" };
  if (t === "email") return { type: "string", format: "email" };
  if (t === "bytes") return { type: "string", contentEncoding: "base64", originalType: "bytes" };
  if (typeof t === "string") return { type: "object" };
  if ("str" in t) {
    const e = (t as { str: string[] | null }).str;
    return e ? { type: "string", originalType: "enum", enum: e } : { type: "string", originalType: "string" };
  }
  if ("resource" in t) return { type: "object", format: `resource-${(t as { resource: string }).resource}` };
  if ("object" in t) {
    const o = (t as { object: { name: string | null; props: { key: string; typ: ArgType }[] | null } }).object;
    const s: Record<string, unknown> = { type: "object" };
    if (o.name) s.format = `resource-${o.name}`;
    if (o.props) s.properties = Object.fromEntries(o.props.map((p) => [p.key, { description: "", ...typeSchema(p.typ) }]));
    return s;
  }
  if ("list" in t) {
    const item = (t as { list: ArgType | null }).list;
    if (item === "int" || item === "float") return { type: "array", items: { type: "number" }, originalType: "number[]" };
    if (item && typeof item === "object" && "str" in item) {
      const e = (item as { str: string[] | null }).str;
      return e
        ? { type: "array", items: { type: "string", enum: e }, originalType: "enum[]" }
        : { type: "array", items: { type: "string" }, originalType: "string[]" };
    }
    if (item && typeof item === "object" && "resource" in item) {
      return { type: "array", items: { type: "resource", resourceType: (item as { resource: string }).resource }, originalType: "resource[]" };
    }
    if (item && typeof item === "object" && "object" in item) {
      const inner = typeSchema(item);
      return { type: "array", items: { type: "object", ...(inner.properties ? { properties: inner.properties } : {}) }, originalType: "record[]" };
    }
    return { type: "array", items: { type: "object" }, originalType: "object[]" };
  }
  if ("oneof" in t) {
    const variants = (t as { oneof: { label: string; properties: { key: string; typ: ArgType }[] }[] }).oneof;
    return {
      type: "object",
      oneOf: variants.map((v) => ({
        type: "object",
        title: v.label,
        properties: Object.fromEntries(v.properties.map((p) => [p.key, { description: "", ...typeSchema(p.typ) }])),
      })),
    };
  }
  return { type: "object" };
}

/** Fields a person may write by hand in .script.yaml; regeneration keeps them (as Windmill's CLI does). */
const PRESERVED = ["description", "title", "placeholder", "pattern", "min", "max", "password", "order", "customErrorMessage", "showExpr"];

/** Copies the hand-written fields of `old` onto `prop`, and into an object's properties (Windmill's inference keeps them too). */
function keepHandWritten(prop: Record<string, unknown>, old: Record<string, unknown>) {
  for (const k of PRESERVED) if (old[k] !== undefined) prop[k] = old[k];
  const props = prop.properties as Record<string, Record<string, unknown>> | undefined;
  const oldProps = old.properties as Record<string, Record<string, unknown>> | undefined;
  if (props && oldProps) for (const [key, p] of Object.entries(props)) if (oldProps[key]) keepHandWritten(p, oldProps[key]);
}

/** The input schema Windmill derives from a signature, keeping hand-written fields of `previous`. */
export function schemaFromSignature(sig: ParsedSignature, previous?: Partial<JsonSchema>): JsonSchema {
  const properties: JsonSchema["properties"] = {};
  const required: string[] = [];
  for (const arg of sig.args) {
    const old = (previous?.properties?.[arg.name] ?? {}) as Record<string, unknown>;
    const prop: Record<string, unknown> = { description: "", ...typeSchema(arg.typ) };
    keepHandWritten(prop, old);
    if (arg.otyp && arg.otyp.includes("[") && arg.otyp.includes("|")) prop.originalType = arg.otyp;
    if (arg.default !== null && arg.default !== undefined) prop.default = arg.default;
    properties[arg.name] = prop;
    if (!arg.has_default) required.push(arg.name);
  }
  return { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties, required };
}
