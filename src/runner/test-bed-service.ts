// The runner's test-bed service: Cucumber workers (in this process or child processes) reach the SUT
// the runner started through it, on loopback with a per-run token: the SUT's log for the evidence of
// a failed test case, and the network-side triggers of a target that offers them (TS 24.228 6.7, 6.8).
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { StartedTarget } from "../targets/index.ts";

/** At most this much of the SUT's log (of the slice asked for) goes to a worker: the newest part. */
const LOG_TAIL = 20_000;
const BODY_LIMIT = 4096;

export interface TestBedService {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export async function startTestBedService(target: StartedTarget): Promise<TestBedService> {
  const token = randomBytes(16).toString("hex");
  const failures: TriggerFailure[] = [];
  const server: Server = createServer((req, res) => void handle(target, token, failures, req, res));
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A network-side trigger that failed after its request was answered. */
interface TriggerFailure {
  readonly at: number;
  readonly line: string;
}

async function handle(target: StartedTarget, token: string, failures: TriggerFailure[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, text = ""): void => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
  };
  try {
    if (req.headers.authorization !== `Bearer ${token}`) return reply(403, "not this run's token");
    const url = new URL(req.url ?? "/", "http://test-bed");
    if (req.method === "GET" && url.pathname === "/log") {
      // ?since=<ms since the epoch>: the lines that arrived since then (a test case's start), each timestamped
      const sinceText = url.searchParams.get("since");
      const since = sinceText === null ? undefined : Number(sinceText);
      if (since !== undefined && !Number.isFinite(since)) return reply(400, `since must be a time in ms since the epoch, not "${String(sinceText).slice(0, 40)}"`);
      const failed = failures.filter((f) => since === undefined || f.at >= since).map((f) => `${new Date(f.at).toISOString()} test-bed: ${f.line}\n`);
      return reply(200, tail(target.logs(since) + failed.join(""), LOG_TAIL));
    }
    if (req.method !== "POST" || !req.url?.startsWith("/network/")) return reply(404, `no ${req.method} ${req.url}`);
    if (!target.network) return reply(501, "this SUT offers the harness no network-side trigger");
    const body = JSON.parse(await readBody(req)) as { impu?: unknown; event?: unknown };
    if (typeof body.impu !== "string") return reply(400, "expected a JSON body with impu");
    if (req.url === "/network/deregister") {
      const event = body.event === "rejected" ? "rejected" : "deactivated";
      // Answered at once: the de-registration goes on while the test case waits for its NOTIFY
      // Answered at once: the de-registration goes on while the test case waits for its NOTIFY; a
      // failure of it goes into the log the test case's evidence shows
      const impu = body.impu;
      void target.network
        .deregister(impu, event)
        .catch((e: unknown) => failures.push({ at: Date.now(), line: `the network-initiated de-registration of ${impu} failed: ${e instanceof Error ? e.message : String(e)}` }));
      return reply(202);
    }
    if (req.url === "/network/reauthenticate") {
      await target.network.requireReauthentication(body.impu);
      return reply(204);
    }
    return reply(404, `no trigger ${req.url}`);
  } catch (e) {
    reply(500, e instanceof Error ? e.message : String(e));
  }
}

/** The newest `limit` characters, cut at a line start, with a line saying how much was left out. */
function tail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(-limit);
  const start = cut.indexOf("\n") + 1;
  return `[${text.length - limit + start} earlier characters of this slice left out]\n${cut.slice(start)}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      text += c;
      if (text.length > BODY_LIMIT) req.destroy(new Error(`request body over ${BODY_LIMIT} bytes`));
    });
    req.on("end", () => done(text));
    req.on("error", fail);
  });
}
