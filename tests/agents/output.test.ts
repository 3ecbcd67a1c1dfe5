import { describe, expect, it } from "vitest";
import { fatalEvent, parseAgentOutput, stderrJsonError } from "../../f/devgodzilla/lib/agents/output.ts";

const lines = (...o: unknown[]) => o.map((x) => JSON.stringify(x)).join("\n");

describe("agent output parsers (the output shapes each agent documents)", () => {
  it("gemini stream-json: init, message deltas, result stats", () => {
    const out = parseAgentOutput(
      "gemini-json",
      lines(
        { type: "init", session_id: "g-1", model: "gemini-x" },
        { type: "message", role: "user", content: "do it" },
        { type: "message", role: "assistant", content: "Hel", delta: true },
        { type: "message", role: "assistant", content: "lo", delta: true },
        { type: "result", status: "success", stats: { total_tokens: 30, input_tokens: 20, output_tokens: 10 } },
      ),
    );
    expect(out).toMatchObject({ finalMessage: "Hello", sessionId: "g-1", tokens: { input: 20, output: 10 }, events: 5, error: null });
  });

  it("qwen stream-json (JSONL of the same objects as the array)", () => {
    const out = parseAgentOutput(
      "qwen-json",
      lines(
        { type: "system", subtype: "session_start", session_id: "q-1" },
        { type: "assistant", message: { content: [{ type: "text", text: "working" }], usage: { input_tokens: 5, output_tokens: 1 } } },
        { type: "result", subtype: "success", is_error: false, result: "all done", session_id: "q-1", usage: { input_tokens: 50, output_tokens: 9 } },
      ),
    );
    expect(out).toMatchObject({ finalMessage: "all done", sessionId: "q-1", tokens: { input: 50, output: 9 }, error: null });
  });

  it("claude result JSON with is_error reports the error; log lines before the JSON are skipped", () => {
    const out = parseAgentOutput(
      "claude-result-json",
      "some warning on stdout\n" +
        JSON.stringify({ type: "result", subtype: "error_max_turns", is_error: true, result: "max turns reached", session_id: "c-9" }),
    );
    expect(out).toMatchObject({ sessionId: "c-9", error: "max turns reached" });
  });

  it("codex: the last agent_message wins, usage adds up over turns, turn.failed is an error", () => {
    const out = parseAgentOutput(
      "codex-jsonl",
      lines(
        { type: "thread.started", thread_id: "t-1" },
        { type: "item.completed", item: { type: "agent_message", text: "first" } },
        { type: "turn.completed", usage: { input_tokens: 10, cached_input_tokens: 0, output_tokens: 2 } },
        { type: "item.completed", item: { type: "agent_message", text: "second" } },
        { type: "turn.completed", usage: { input_tokens: 7, cached_input_tokens: 0, output_tokens: 3 } },
      ),
    );
    expect(out).toMatchObject({ finalMessage: "second", sessionId: "t-1", tokens: { input: 17, output: 5 }, costUsd: null });
    expect(parseAgentOutput("codex-jsonl", lines({ type: "turn.failed", error: { message: "quota" } })).error).toBe("quota");
  });

  it("text and unparseable output fall back to the plain stdout", () => {
    expect(parseAgentOutput("text", "  Finished the task.\n")).toMatchObject({ finalMessage: "Finished the task.", events: 0 });
    expect(parseAgentOutput("qwen-json", "not json at all")).toMatchObject({ finalMessage: "not json at all", events: 0 });
  });

  it("codex: Reconnecting… events are retries, not the run's error; turn.failed is", () => {
    const retry = { type: "error", message: "Reconnecting... 1/5 (stream disconnected before completion)" };
    expect(
      parseAgentOutput(
        "codex-jsonl",
        lines(
          retry,
          { type: "item.completed", item: { type: "agent_message", text: "done" } },
          { type: "turn.completed", usage: { input_tokens: 1, output_tokens: 1 } },
        ),
      ).error,
    ).toBeNull();
    expect(parseAgentOutput("codex-jsonl", lines(retry, { type: "turn.failed", error: { message: "stream disconnected" } })).error).toBe("stream disconnected");
  });

  it("a rejected key the CLI would retry for minutes is fatal at its first retry event", () => {
    const claude401 = JSON.stringify({ type: "system", subtype: "api_retry", attempt: 1, max_retries: 10, error_status: 401, error: "authentication_failed" });
    expect(fatalEvent("claude-stream-json", claude401)).toMatch(/rejected the key \(HTTP 401: authentication_failed\)/);
    expect(fatalEvent("claude-stream-json", JSON.stringify({ type: "system", subtype: "api_retry", error_status: 529, error: "overloaded" }))).toBeNull();
    expect(
      fatalEvent(
        "codex-jsonl",
        JSON.stringify({ type: "error", message: "Reconnecting... 1/5 (unexpected status 401 Unauthorized: bad key, url: http://x/v1/responses)" }),
      ),
    ).toMatch(/rejected the key: unexpected status 401 Unauthorized/);
    expect(fatalEvent("codex-jsonl", JSON.stringify({ type: "error", message: "Reconnecting... 1/5 (connection refused)" }))).toBeNull();
    expect(fatalEvent("claude-stream-json", "not json")).toBeNull();
  });

  it("the Gemini-CLI family's JSON error on stderr gives the real cause (an API error body unwrapped)", () => {
    const gemini =
      'YOLO mode is enabled.\n{\n  "session_id": "s",\n  "error": {\n    "type": "Error",\n    "message": "{\\"error\\":{\\"code\\":401,\\"message\\":\\"API key not valid\\",\\"status\\":\\"UNAUTHENTICATED\\"}}",\n    "code": 401\n  }\n}\n';
    expect(stderrJsonError(gemini)).toBe("HTTP 401 UNAUTHENTICATED: API key not valid");
    expect(stderrJsonError('{\n  "error": {\n    "type": "AlreadyReportedError",\n    "message": "[API Error: 401 Invalid API key provided]"\n  }\n}')).toBe(
      "[API Error: 401 Invalid API key provided]",
    );
    expect(stderrJsonError("plain failure\n")).toBeNull();
  });
});
