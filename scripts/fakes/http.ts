// Plumbing shared by the loopback fakes (forge, Windmill API, LLM): reading a request body and
// stopping a server together with its keep-alive connections (else close() waits for them).
import type http from "node:http";

/** The whole request body as UTF-8 text ("" when there is none). */
export async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The request body parsed as JSON; the raw text when it is not JSON; undefined when empty. */
export async function readJsonOrText(req: http.IncomingMessage): Promise<unknown> {
  const raw = await readText(req);
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return raw;
  }
}

/** Closes the server, dropping open connections first. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
