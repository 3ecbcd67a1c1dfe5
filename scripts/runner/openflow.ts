// The subset of the OpenFlow schema (openflow.openapi.yaml) that the local runner executes.
// Field names are Windmill's; the semantics are scripts/runner/engine.ts's.

export type InputTransform = { type: "static"; value?: unknown } | { type: "javascript"; expr: string };

export interface Retry {
  constant?: { attempts?: number; seconds?: number };
  exponential?: { attempts?: number; multiplier?: number; seconds?: number; random_factor?: number };
  /** Retry only when this holds; it sees `error` and `result` (= {error}). */
  retry_if?: { expr: string };
}

export interface Suspend {
  required_events?: number;
  timeout?: number;
  resume_form?: { schema?: { properties?: Record<string, Record<string, unknown>>; required?: string[]; order?: string[] } };
  continue_on_disapprove_timeout?: boolean;
}

export interface FlowModule {
  id: string;
  summary?: string;
  value: ModuleValue;
  retry?: Retry;
  /** Seconds; Windmill evaluates it as an input transform when the step starts (bundle.ts makes a static one a number). */
  timeout?: number | InputTransform;
  suspend?: Suspend;
  sleep?: InputTransform;
  stop_after_if?: { expr: string; skip_if_stopped?: boolean; error_message?: string };
  stop_after_all_iters_if?: { expr: string; skip_if_stopped?: boolean };
  skip_if?: { expr: string };
  continue_on_error?: boolean;
  mock?: { enabled?: boolean; return_value?: unknown };
}

export type ModuleValue =
  | { type: "rawscript"; content: string | { __inline: string }; language: string; input_transforms?: Record<string, InputTransform> }
  | { type: "script"; path: string; input_transforms?: Record<string, InputTransform> }
  | { type: "flow"; path: string; input_transforms?: Record<string, InputTransform> }
  | { type: "forloopflow"; iterator: InputTransform; modules: FlowModule[]; parallel?: boolean; parallelism?: number | InputTransform; skip_failures?: boolean }
  | { type: "whileloopflow"; modules: FlowModule[]; skip_failures?: boolean }
  | { type: "branchone"; branches: { expr: string; modules: FlowModule[]; summary?: string }[]; default: FlowModule[] }
  | { type: "branchall"; branches: { modules: FlowModule[]; skip_failure?: boolean; summary?: string }[]; parallel?: boolean }
  | { type: "identity" };

export interface FlowValue {
  modules: FlowModule[];
  failure_module?: FlowModule;
  preprocessor_module?: FlowModule;
}

export interface FlowFile {
  summary?: string;
  description?: string;
  value: FlowValue;
  schema?: { properties?: Record<string, Record<string, unknown>>; required?: string[] };
}

export const isTsLanguage = (language: string) => ["bun", "deno", "nativets", "bunnative"].includes(language);
