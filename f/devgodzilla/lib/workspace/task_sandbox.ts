// One task's sandbox: every command of both phases (the setup phase's installs, the agent's
// processes) wrapped with the same policy, read-only paths, languages and limits. What it did is
// what the task's result reports; a limit any of its commands hit fails the task.
import {
  limitError,
  wrapInSandbox,
  type SandboxCommand,
  type SandboxLimitError,
  type SandboxOptions,
  type SandboxPhase,
  type WrappedCommand,
} from "../sandbox/index.ts";
import type { ExecuteTaskResult } from "./task_result.ts";

/** What every command of the task shares; the phase and the execute phase's allow-list come per command. */
export type TaskSandboxOptions = Omit<SandboxOptions, "phase" | "allowHosts" | "programs">;

export class TaskSandbox {
  /** For the result: sandboxed or why not, how the limits are enforced, what the setup phase ran. */
  info: ExecuteTaskResult["sandbox"] = { sandboxed: true };
  private readonly wrapped: WrappedCommand[] = [];
  private readonly phases = new Set<SandboxPhase>();

  constructor(private readonly options: TaskSandboxOptions) {}

  async wrap(cmd: SandboxCommand, phase: SandboxPhase, extra: Pick<SandboxOptions, "allowHosts" | "programs"> = {}): Promise<WrappedCommand> {
    const w = await wrapInSandbox(cmd, { ...this.options, ...extra, phase });
    this.wrapped.push(w);
    this.phases.add(phase);
    this.info = w.sandboxed ? { ...this.info, limits: w.limits } : { sandboxed: false, warning: w.warning };
    return w;
  }

  /** The limit one of the task's commands hit, as the error that fails the task (null when none did). */
  limitError(phase: SandboxPhase, cause?: unknown): SandboxLimitError | null {
    return limitError(this.wrapped, phase, cause);
  }

  /** Whether a command of this phase was wrapped (the built-in llm agent and API agents run no local process). */
  ran(phase: SandboxPhase): boolean {
    return this.phases.has(phase);
  }

  /** Stops the network bridges and limit watchers of every command; call after they ended. */
  async dispose(): Promise<void> {
    for (const w of this.wrapped) await w.dispose().catch(() => undefined);
  }
}
