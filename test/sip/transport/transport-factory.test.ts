import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTransport } from "../../../src/sip/transport/transport-factory.ts";
import { isReliable, Trace } from "../../../src/sip/transport/index.ts";
import type { SipTransport } from "../../../src/sip/transport/index.ts";
import { openSocketHandles, packetsOf, sipRequest } from "./transport-test-helpers.ts";

const indexUrl = new URL("../../../src/sip/transport/index.ts", import.meta.url).href;
const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));

describe("createTransport", () => {
  test("each protocol resolves once listening, with the actual port", async () => {
    const trace = new Trace();
    const made: SipTransport[] = [];
    try {
      for (const protocol of ["udp", "tcp", "ws"] as const) {
        const server = await createTransport({ protocol, host: "127.0.0.1", port: 0, trace });
        const client = await createTransport({ protocol, host: "127.0.0.1", port: 0, trace });
        made.push(server, client);
        assert.equal(server.protocol, protocol);
        assert.equal(server.local.host, "127.0.0.1");
        assert.ok(server.local.port > 0);
        const inbox = packetsOf(server);
        await client.send(sipRequest(`factory-${protocol}`), server.local);
        const got = await inbox.next();
        assert.equal(got.protocol, protocol);
        assert.equal(got.connectionId === undefined, !isReliable(protocol));
      }
      assert.deepEqual(
        trace.entries.map((e) => `${e.protocol} ${e.direction}`),
        ["udp sent", "udp received", "tcp sent", "tcp received", "ws sent", "ws received"],
      );
    } finally {
      await Promise.all(made.map((t) => t.close()));
    }
    assert.deepEqual(openSocketHandles(), []);
  });

  test("a port already in use rejects with a bind error", async () => {
    const first = await createTransport({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    try {
      await assert.rejects(createTransport({ protocol: "tcp", host: "127.0.0.1", port: first.local.port }), {
        name: "TransportError",
        code: "bind",
      });
      await assert.rejects(createTransport({ protocol: "ws", host: "127.0.0.1", port: first.local.port }), {
        code: "bind",
      });
    } finally {
      await first.close();
    }
  });

  test("a process that used every transport and closed them exits on its own", { timeout: 60_000 }, async () => {
    const script = `
      const t = await import(${JSON.stringify(indexUrl)});
      const all = [];
      for (const protocol of ["udp", "tcp", "ws"]) {
        const a = await t.createTransport({ protocol, host: "127.0.0.1", port: 0 });
        const b = await t.createTransport({ protocol, host: "127.0.0.1", port: 0 });
        all.push(a, b);
        const got = new Promise((resolve) => b.onPacket(resolve));
        await a.send(Buffer.from("OPTIONS sip:x SIP/2.0\\r\\nContent-Length: 0\\r\\n\\r\\n"), b.local);
        const p = await got;
        if (p.connectionId) await b.send(Buffer.from("SIP/2.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n"), p.remote, { connectionId: p.connectionId });
      }
      await Promise.all(all.map((x) => x.close()));
      await Promise.all(all.map((x) => x.close()));
      process.stdout.write("closed");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(err, "");
    assert.equal(out, "closed");
    assert.equal(code, 0);
  });
});
