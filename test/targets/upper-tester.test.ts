// The upper tester (src/targets/upper-tester.ts): how the harness makes a UE under test act. Each
// kind delivers exactly the profile's command with its placeholders filled in (stdin: a line; tcp: a
// line or a netstring over one connection; shell: one `sh -c` with the values quoted; http: a POST;
// manual: an instruction to the operator), and a command that cannot be delivered is an
// UpperTesterError (the test bed's error) naming where it went.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type IncomingHttpHeaders, createServer as createHttpServer } from "node:http";
import { type AddressInfo, type Server, type Socket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { UpperTesterConfig } from "../../src/profile/profile.ts";
import { Deadline } from "../../src/sip/deadline.ts";
import { UpperTesterError, createUpperTester, fillPlaceholders, netstring, shellQuote } from "../../src/targets/upper-tester.ts";

const NASTY = `it's "quoted" $HOME; echo pwned & \`id\` \\ end`;

function config(kind: UpperTesterConfig["kind"], actions: UpperTesterConfig["actions"], extra: Partial<UpperTesterConfig> = {}): UpperTesterConfig {
  return { kind, operatorTimeoutMs: 60_000, actions, ...extra };
}

function soon(ms = 5000): Deadline {
  return Deadline.after(ms, "step 'the UE acts'");
}

/** Rejects with an UpperTesterError whose message matches every pattern; returns the error. */
async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<UpperTesterError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof UpperTesterError, `an UpperTesterError, not ${String(e)}`);
    assert.equal(e.name, "UpperTesterError");
    for (const p of patterns) assert.match(e.message, p);
    return e;
  }
  assert.fail("expected a rejection");
}

async function waitFor(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | ReturnType<typeof createHttpServer>): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

describe("placeholders, quoting and framing", () => {
  test("fillPlaceholders fills ${target} and ${text}, every occurrence", () => {
    assert.equal(fillPlaceholders("chat ${target} ${text}", { target: "sip:bob@ims.test", text: "hello there" }), "chat sip:bob@ims.test hello there");
    assert.equal(fillPlaceholders("${target}|${target}", { target: "sip:a@b" }), "sip:a@b|sip:a@b");
    assert.equal(fillPlaceholders("/accept", {}), "/accept");
    // the quote function escapes each value, not the template
    assert.equal(
      fillPlaceholders("call ${target}", { target: "x" }, (v) => `<${v}>`),
      "call <x>",
    );
  });

  test("a placeholder the action does not give throws an UpperTesterError naming it", () => {
    assert.throws(
      () => fillPlaceholders("chat ${target} ${text}", { target: "sip:bob@ims.test" }),
      (e: unknown) => e instanceof UpperTesterError && e.message.includes("${text}") && e.message.includes("chat ${target} ${text}"),
    );
    assert.throws(
      () => fillPlaceholders("call ${target}", { text: "hi" }),
      (e: unknown) => e instanceof UpperTesterError && e.message.includes("${target}") && !e.message.includes("${text}"),
    );
  });

  test("shellQuote keeps quotes, spaces, $, ; and backquotes as one word (sh -c printf)", () => {
    for (const value of [NASTY, "", "'", "''", "a b", "$(id)", "; rm -rf /tmp/never", "tab\there", "line\nbreak", "sip:bob@ims.test;user=phone"]) {
      const out = spawnSync("sh", ["-c", `printf '%s|' ${shellQuote(value)}`], { encoding: "utf8" });
      assert.equal(out.status, 0, out.stderr);
      // one argument: printf repeats its format per argument, so one word gives exactly one "|"
      assert.equal(out.stdout, `${value}|`, `quoted as ${shellQuote(value)}`);
    }
  });

  test('netstring("abc") is "3:abc," and counts bytes, not characters', () => {
    assert.equal(netstring("abc"), "3:abc,");
    assert.equal(netstring(""), "0:,");
    assert.equal(netstring("é"), "2:é,");
    assert.equal(netstring("€1"), "4:€1,");
    assert.equal(netstring("📞"), "4:📞,");
    assert.equal(netstring('{"command":"dial","params":"sip:bob@ims.test"}'), '46:{"command":"dial","params":"sip:bob@ims.test"},');
  });
});

describe("kind stdin", () => {
  test("act() writes the filled command and a newline through host.write", async () => {
    const lines: string[] = [];
    const ut = createUpperTester(config("stdin", { call: "/dial ${target}", message: "chat ${target} ${text}", answer: "/accept" }), { write: (l) => lines.push(l) });
    await ut.act("call", { target: "sip:bob@ims.test" }, soon());
    await ut.act("message", { target: "sip:bob@ims.test", text: "hi there" }, soon());
    await ut.act("answer", {}, soon());
    // stdin is not a shell: the values are not quoted
    assert.deepEqual(lines, ["/dial sip:bob@ims.test\n", "chat sip:bob@ims.test hi there\n", "/accept\n"]);
    assert.equal(ut.effectMs, 0);
    await ut.close();
  });

  test("without host.write, act() rejects with an UpperTesterError", async () => {
    const ut = createUpperTester(config("stdin", { call: "/dial ${target}" }));
    await rejectsWith(ut.act("call", { target: "sip:bob@ims.test" }, soon()), /standard input/);
  });

  test("a missing placeholder is an UpperTesterError and nothing is written", async () => {
    const lines: string[] = [];
    const ut = createUpperTester(config("stdin", { message: "chat ${target} ${text}" }), { write: (l) => lines.push(l) });
    await rejectsWith(ut.act("message", { target: "sip:bob@ims.test" }, soon()), /\$\{text\}/);
    assert.deepEqual(lines, []);
  });
});

describe("kind tcp", () => {
  /** A control channel that records every connection and the bytes it receives. */
  async function controlChannel(): Promise<{ port: number; connections: () => number; received: () => string; close: () => Promise<void> }> {
    const sockets: Socket[] = [];
    let data = "";
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (data += chunk));
    });
    const port = await listen(server);
    return {
      port,
      connections: () => sockets.length,
      received: () => data,
      close: async () => {
        for (const s of sockets) s.destroy();
        await closeServer(server);
      },
    };
  }

  for (const framing of ["line", "netstring"] as const) {
    test(`framing ${framing}: the server receives exactly the framed commands, two actions over one connection`, async () => {
      const channel = await controlChannel();
      const ut = createUpperTester(config("tcp", { call: '{"command":"dial","params":"${target}"}', hangup: '{"command":"hangup"}' }, { host: "127.0.0.1", port: channel.port, framing }));
      try {
        assert.match(ut.description, new RegExp(`127\\.0\\.0\\.1:${channel.port} \\(${framing}\\)`));
        await ut.act("call", { target: "sip:bob@ims.test" }, soon());
        await ut.act("hangup", {}, soon());
        const commands = ['{"command":"dial","params":"sip:bob@ims.test"}', '{"command":"hangup"}'];
        const expected = framing === "netstring" ? commands.map(netstring).join("") : commands.map((c) => `${c}\n`).join("");
        await waitFor(() => channel.received().length >= expected.length, "both commands");
        // and nothing more arrives
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(channel.received(), expected);
        assert.equal(channel.connections(), 1);
      } finally {
        await ut.close();
        await channel.close();
      }
    });
  }

  test("framing defaults to a line", async () => {
    const channel = await controlChannel();
    const ut = createUpperTester(config("tcp", { answer: "answer" }, { host: "127.0.0.1", port: channel.port }));
    try {
      await ut.act("answer", {}, soon());
      await waitFor(() => channel.received().length > 0, "the command");
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(channel.received(), "answer\n");
    } finally {
      await ut.close();
      await channel.close();
    }
  });

  test("a refused connection rejects with an UpperTesterError naming the address", async () => {
    const port = await closedPort();
    const ut = createUpperTester(config("tcp", { call: "dial ${target}" }, { host: "127.0.0.1", port, framing: "netstring" }));
    try {
      const e = await rejectsWith(ut.act("call", { target: "sip:bob@ims.test" }, soon()), new RegExp(`127\\.0\\.0\\.1:${port}`), /call/);
      assert.ok(e.cause !== undefined, "the socket's error is kept as the cause");
    } finally {
      await ut.close();
    }
  });
});

describe("kind shell", () => {
  const dir = mkdtempSync(join(tmpdir(), "upper-tester-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a command that writes the target (quoted) to a file succeeds, the file holding the target unchanged", async () => {
    const file = join(dir, "target.txt");
    const ut = createUpperTester(config("shell", { call: `printf '%s|' \${target} > ${shellQuote(file)}` }));
    await ut.act("call", { target: NASTY }, soon());
    assert.equal(readFileSync(file, "utf8"), `${NASTY}|`);
  });

  test("a non-zero exit rejects, quoting the exit status and the command's output", async () => {
    const ut = createUpperTester(config("shell", { hangup: "echo no call to hang up; echo on stderr >&2; exit 3" }));
    await rejectsWith(ut.act("hangup", {}, soon()), /hangup/, /exit status 3/, /no call to hang up/, /on stderr/);
  });

  test("a command running past the deadline is killed and rejects, naming the budget", async () => {
    const ut = createUpperTester(config("shell", { answer: "exec sleep 5" }));
    const started = Date.now();
    await rejectsWith(ut.act("answer", {}, Deadline.after(150, "step 'the UE answers'")), /killed by SIGKILL/, /step 'the UE answers'/);
    assert.ok(Date.now() - started < 2000, `rejected after ${Date.now() - started} ms`);
  });

  test("a compound command running past the deadline rejects at the deadline (its children do not hold the act open)", async () => {
    // sh -c "sleep 3; ..." forks sleep; killing sh alone leaves sleep holding the output pipes
    const ut = createUpperTester(config("shell", { answer: "sleep 3; echo answered" }));
    const started = Date.now();
    await rejectsWith(ut.act("answer", {}, Deadline.after(150, "step 'the UE answers'")), /killed by SIGKILL/, /step 'the UE answers'/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `expected the rejection soon after the 150 ms deadline; it came after ${elapsed} ms`);
  });
});

describe("kind http", () => {
  interface Request {
    method: string | undefined;
    url: string | undefined;
    headers: IncomingHttpHeaders;
    body: string;
  }

  async function httpServer(status: number): Promise<{ url: string; requests: Request[]; close: () => Promise<void> }> {
    const requests: Request[] = [];
    const server = createHttpServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(status >= 400 ? "the UE is busy" : "ok");
      });
    });
    const port = await listen(server);
    return {
      url: `http://127.0.0.1:${port}/ue/actions`,
      requests,
      close: async () => {
        server.closeAllConnections();
        await closeServer(server);
      },
    };
  }

  test("each action is a POST of the filled body; JSON is sent as application/json, other text as text/plain", async () => {
    const server = await httpServer(200);
    try {
      const ut = createUpperTester(config("http", { call: '{"action":"call","to":"${target}"}', hangup: "hangup" }, { url: server.url }));
      await ut.act("call", { target: "sip:bob@ims.test" }, soon());
      await ut.act("hangup", {}, soon());
      assert.equal(server.requests.length, 2);
      const [call, hangup] = server.requests;
      assert.equal(call.method, "POST");
      assert.equal(call.url, "/ue/actions");
      assert.equal(call.body, '{"action":"call","to":"sip:bob@ims.test"}');
      assert.equal(call.headers["content-type"], "application/json");
      assert.equal(hangup.method, "POST");
      assert.equal(hangup.body, "hangup");
      assert.match(hangup.headers["content-type"] ?? "", /^text\/plain/);
    } finally {
      await server.close();
    }
  });

  test("a 500 rejects with an UpperTesterError giving the status", async () => {
    const server = await httpServer(500);
    try {
      const ut = createUpperTester(config("http", { answer: '{"action":"answer"}' }, { url: server.url }));
      await rejectsWith(ut.act("answer", {}, soon()), /HTTP 500/, /answer/, /the UE is busy/);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });

  test("an unreachable URL rejects with an UpperTesterError", async () => {
    const port = await closedPort();
    const ut = createUpperTester(config("http", { answer: "answer" }, { url: `http://127.0.0.1:${port}/` }));
    // the connection's failure, not a mistake of the request's own set-up
    await rejectsWith(ut.act("answer", {}, soon()), new RegExp(`HTTP POST http://127\\.0\\.0\\.1:${port}/: fetch failed`));
  });
});

describe("kind manual", () => {
  test('tell() receives "OPERATOR: <instruction> (within N s)"; effectMs is the operator\'s time', async () => {
    const told: string[] = [];
    const ut = createUpperTester(config("manual", { call: "Call ${target} from the UE", answer: "Answer the incoming call" }, { operatorTimeoutMs: 45_000 }), { tell: (l) => told.push(l) });
    await ut.act("call", { target: "sip:bob@ims.test" }, soon());
    await ut.act("answer", {}, soon());
    assert.deepEqual(told, ["OPERATOR: Call sip:bob@ims.test from the UE (within 45 s)", "OPERATOR: Answer the incoming call (within 45 s)"]);
    assert.equal(ut.effectMs, 45_000);
    assert.match(ut.description, /manual/);
  });

  test("the other kinds add no time for the effect", () => {
    assert.equal(createUpperTester(config("shell", {}, { operatorTimeoutMs: 45_000 })).effectMs, 0);
    assert.equal(createUpperTester(config("tcp", {}, { host: "127.0.0.1", port: 9, operatorTimeoutMs: 45_000 })).effectMs, 0);
    assert.equal(createUpperTester(config("http", {}, { url: "http://127.0.0.1:9/", operatorTimeoutMs: 45_000 })).effectMs, 0);
  });
});

describe("declared, undeclared and automatic actions", () => {
  test("lacks(action) names the undeclared action, and only that", () => {
    const ut = createUpperTester(config("stdin", { register: "auto", call: "/dial ${target}" }), { write: () => undefined });
    assert.equal(ut.lacks("call"), undefined);
    assert.equal(ut.lacks("register"), undefined);
    const why = ut.lacks("message");
    assert.ok(why !== undefined);
    assert.match(why, /"message"/);
    assert.match(why, /standard input/);
    assert.doesNotMatch(why, /"call"|"register"/);
  });

  test("act() on an undeclared action rejects with an UpperTesterError naming it", async () => {
    const lines: string[] = [];
    const ut = createUpperTester(config("stdin", { call: "/dial ${target}" }), { write: (l) => lines.push(l) });
    await rejectsWith(ut.act("hangup", {}, soon()), /"hangup"/);
    assert.deepEqual(lines, []);
  });

  test('automatic("register") is true for "auto", and act() then sends nothing', async () => {
    const lines: string[] = [];
    const ut = createUpperTester(config("stdin", { register: "auto", answer: " auto ", call: "/dial ${target}" }), { write: (l) => lines.push(l) });
    assert.equal(ut.automatic("register"), true);
    assert.equal(ut.automatic("answer"), true);
    assert.equal(ut.automatic("call"), false);
    assert.equal(ut.automatic("hangup"), false);
    await ut.act("register", {}, soon());
    await ut.act("answer", {}, soon());
    assert.deepEqual(lines, []);
    await ut.act("call", { target: "sip:bob@ims.test" }, soon());
    assert.deepEqual(lines, ["/dial sip:bob@ims.test\n"]);
  });

  test("an automatic action over tcp opens no connection", async () => {
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.destroy();
    });
    const port = await listen(server);
    const ut = createUpperTester(config("tcp", { register: "auto" }, { host: "127.0.0.1", port }));
    try {
      await ut.act("register", {}, soon());
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(connections, 0);
    } finally {
      await ut.close();
      await closeServer(server);
    }
  });
});
