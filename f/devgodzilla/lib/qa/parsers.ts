// Parsers for the output of common lint / typecheck / test tools into findings with file and line,
// one per output family (./parsers/): TypeScript tsc and ESLint (stylish, unix and JSON), pytest,
// mypy, ruff/flake8, go test and go vet, cargo test and rustc, vitest, jest, node --test (TAP and
// spec reporters), plus generic "file:line: message" lines and "N passed, N failed" summaries.

import type { CheckKind } from "./types.ts";
import { collector, type OutputParser, type Parsed } from "./parsers/collector.ts";
import { tsc, eslint } from "./parsers/typescript.ts";
import { pytest, mypy, pythonLint } from "./parsers/python.ts";
import { goTest, goLint } from "./parsers/go.ts";
import { cargo } from "./parsers/rust.ts";
import { vitest, jest, nodeTest } from "./parsers/js-tests.ts";
import { fileLineMessage, passedFailed } from "./parsers/generic.ts";

export type { Parsed } from "./parsers/collector.ts";

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

// Order matters: go vet skips lines go test already reported, node --test's spec reporter only
// runs when no TAP failure was found, and the generic parsers only fill what the others left.
const PARSERS: OutputParser[] = [tsc, eslint, pytest, goTest, cargo, vitest, jest, nodeTest, mypy, pythonLint, goLint, fileLineMessage, passedFailed];

export function parseToolOutput(kind: CheckKind, output: string, root: string): Parsed {
  const c = collector(kind, output.replace(ANSI, "").replace(/\r/g, ""), root);
  for (const parse of PARSERS) parse(c);
  return { findings: c.findings, counts: c.counts, tools: [...c.tools] };
}
