import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connectionIdOf, traceParticipants } from "../../src/report/trace-participants.ts";
import { NAMES, SUT, UE_A, UE_B, callFlow, entry, registerExchange } from "./sip-flow.ts";

describe("traceParticipants", () => {
  test("columns UE-A, SUT, UE-B; arrows sent local->remote, received remote->local", () => {
    const p = traceParticipants(callFlow(), { names: NAMES });
    assert.deepEqual(p.columns, [
      { name: "UE-A", kind: "ue", addresses: ["127.0.0.1:40123"] },
      { name: "SUT (P-CSCF)", kind: "sut", addresses: ["127.0.0.1:5060"] },
      { name: "UE-B", kind: "ue", addresses: ["127.0.0.1:40456"] },
    ]);
    assert.deepEqual(p.arrows.slice(0, 2), [
      { seq: 1, from: 0, to: 1 },
      { seq: 2, from: 1, to: 0 },
    ]);
    assert.deepEqual(p.arrows[7], { seq: 8, from: 1, to: 2 }); // SUT -> UE-B
    assert.deepEqual(p.arrows[8], { seq: 9, from: 2, to: 1 }); // UE-B -> SUT
  });

  test("the first UE on the left, SUT columns in the middle, other UEs on the right; order overrides", () => {
    const flow = callFlow().slice(6); // UE-A appears first (a received 100)
    const reversed = [...callFlow().slice(7), ...callFlow().slice(0, 7)]; // UE-B first
    assert.deepEqual(
      traceParticipants(flow, { names: NAMES }).columns.map((c) => c.name),
      ["UE-A", "SUT (P-CSCF)", "UE-B"],
    );
    assert.deepEqual(
      traceParticipants(reversed, { names: NAMES }).columns.map((c) => c.name),
      ["UE-B", "SUT (P-CSCF)", "UE-A"],
    );
    assert.deepEqual(
      traceParticipants(reversed, { names: NAMES, order: ["UE-A", "SUT (P-CSCF)"] }).columns.map((c) => c.name),
      ["UE-A", "SUT (P-CSCF)", "UE-B"],
    );
  });

  test("unnamed addresses are shown as host:port (IPv6 in brackets)", () => {
    const e = registerExchange({ host: "::1", port: 40123 }, { host: "10.0.0.9", port: 5060 });
    assert.deepEqual(
      traceParticipants(e).columns.map((c) => c.name),
      ["[::1]:40123", "10.0.0.9:5060"],
    );
  });

  test("TCP with an ephemeral local port: named by the connection id", () => {
    const e = registerExchange({ host: "127.0.0.1", port: 51000 }, SUT, "tcp", "tcp-7");
    const p = traceParticipants(e, { names: new Map([...NAMES, ["tcp-7", "UE-A"]]) });
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.addresses]),
      [
        ["UE-A", ["127.0.0.1:51000"]],
        ["SUT (P-CSCF)", ["127.0.0.1:5060"]],
      ],
    );
  });

  test("TCP with an ephemeral local port: named by the Via sent-by, for every entry of the connection", () => {
    // registerExchange writes Via 127.0.0.1:40123 (UE-A's listening address)
    const e = registerExchange({ host: "127.0.0.1", port: 51000 }, SUT, "tcp", "tcp-9");
    const keepAlive = entry(5, 20, "received", { host: "127.0.0.1", port: 51000 }, SUT, Buffer.from("\r\n"), "tcp", "keep-alive pong (tcp-9)");
    const p = traceParticipants([...e, keepAlive], { names: NAMES });
    assert.deepEqual(
      p.columns.map((c) => c.name),
      ["UE-A", "SUT (P-CSCF)"],
    );
    assert.deepEqual(p.arrows[4], { seq: 5, from: 1, to: 0 });
    // without a connection id, the connection is the (protocol, local, remote) triple
    const bare = registerExchange({ host: "127.0.0.1", port: 51000 }, SUT, "tcp");
    assert.equal(traceParticipants(bare, { names: NAMES }).columns[0].name, "UE-A");
    // over UDP the rule does not apply: the local address is the UE's own
    const udp = registerExchange({ host: "127.0.0.1", port: 51000 }, SUT, "udp");
    assert.equal(traceParticipants(udp, { names: NAMES }).columns[0].name, "127.0.0.1:51000");
  });

  test("host:* names any port of a host (a SUT's own ephemeral connections)", () => {
    const e = [entry(1, 0, "received", UE_B, { host: "10.0.0.5", port: 39999 }, Buffer.from("x"), "tcp")];
    const p = traceParticipants(e, { names: new Map([...NAMES, ["10.0.0.5:*", "SUT (P-CSCF)"]]) });
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.kind, c.addresses]),
      [
        ["UE-B", "ue", ["127.0.0.1:40456"]],
        ["SUT (P-CSCF)", "sut", ["10.0.0.5:39999"]],
      ],
    );
  });

  test("names match after normalisation: IPv4-mapped IPv6, bracketed IPv6", () => {
    const e = registerExchange({ host: "::ffff:127.0.0.1", port: 40123 }, { host: "::1", port: 5060 });
    const p = traceParticipants(e, {
      names: new Map([
        ["127.0.0.1:40123", "UE-A"],
        ["[::1]:5060", "SUT"],
      ]),
    });
    assert.deepEqual(
      p.columns.map((c) => c.name),
      ["UE-A", "SUT"],
    );
  });

  test("connectionIdOf", () => {
    assert.equal(connectionIdOf(entry(1, 0, "sent", UE_A, SUT, Buffer.from("x"), "tcp", "c-1")), "c-1");
    assert.equal(connectionIdOf(entry(1, 0, "sent", UE_A, SUT, Buffer.from("x"), "tcp", "keep-alive ping (c-2)")), "c-2");
    assert.equal(connectionIdOf(entry(1, 0, "sent", UE_A, SUT, Buffer.from("x"), "udp", "keep-alive")), undefined);
  });
});
