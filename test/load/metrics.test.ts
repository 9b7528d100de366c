// RFC 6076 figures from recorded flows, and the merge of several processes' results: exact (the
// merged histograms and counters are those of one recorder that saw every flow), never averaged.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LoadRecorder, type LoadResult, type SessionSample, loadFigures, mergeLoadResults } from "../../src/load/metrics.ts";

const T0 = 1_700_000_000_000;

/** A deterministic stream of flows: registrations and sessions with varied delays and outcomes. */
function* flows(n: number, seed = 7): Generator<{ kind: "reg"; at: number; delay: number; status?: number } | { kind: "session"; s: SessionSample }> {
  let x = seed;
  const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const at = T0 + Math.floor(rnd() * 10_000);
    if (i % 3 === 0) {
      const r = rnd();
      yield { kind: "reg", at, delay: 1 + Math.floor(rnd() * 400), ...(r < 0.9 ? { status: 200 } : r < 0.95 ? { status: 503 } : {}) };
      continue;
    }
    const r = rnd();
    const status = r < 0.8 ? 200 : r < 0.85 ? 486 : r < 0.9 ? 302 : r < 0.95 ? 503 : undefined;
    const first = at + 5 + Math.floor(rnd() * 200);
    const answered = status === 200 ? first + 1000 : undefined;
    const bye = answered !== undefined ? answered + 2000 + Math.floor(rnd() * 3000) : undefined;
    yield {
      kind: "session",
      s: {
        inviteAt: at,
        ...(status !== undefined ? { firstResponseAt: first, finalStatus: status } : {}),
        ...(answered !== undefined ? { answeredAt: answered } : {}),
        ...(bye !== undefined ? { byeAt: bye, byeAnsweredAt: bye + 3 + Math.floor(rnd() * 30), byeStatus: rnd() < 0.97 ? 200 : 481 } : {}),
      },
    };
  }
}

function record(into: LoadRecorder, f: ReturnType<typeof flows> extends Generator<infer T> ? T : never): void {
  if (f.kind === "reg") into.registration({ sentAt: f.at, ...(f.status !== undefined ? { endedAt: f.at + f.delay, status: f.status } : {}) });
  else into.session(f.s);
}

describe("RFC 6076 figures", () => {
  test("the ratios follow RFC 6076 4.2 and 4.6 to 4.9 from the counts", () => {
    const r = new LoadRecorder(T0);
    r.registration({ sentAt: T0, endedAt: T0 + 40, status: 200 });
    r.registration({ sentAt: T0, endedAt: T0 + 40, status: 403 }); // refused: not ineffective (the network answered)
    r.registration({ sentAt: T0 }); // no final response: ineffective
    r.registration({ sentAt: T0, endedAt: T0 + 9, status: 503 }); // ineffective
    r.session({ inviteAt: T0, firstResponseAt: T0 + 20, finalStatus: 200, answeredAt: T0 + 100, byeAt: T0 + 1100, byeAnsweredAt: T0 + 1110, byeStatus: 200 });
    r.session({ inviteAt: T0, firstResponseAt: T0 + 30, finalStatus: 486 });
    r.session({ inviteAt: T0, firstResponseAt: T0 + 10, finalStatus: 302 });
    r.session({ inviteAt: T0, firstResponseAt: T0 + 50, finalStatus: 500 });
    r.session({ inviteAt: T0 });
    r.session({ inviteAt: T0, firstResponseAt: T0 + 20, finalStatus: 200, answeredAt: T0 + 100, byeAt: T0 + 600, byeAnsweredAt: T0 + 700, byeStatus: 481 });
    const f = loadFigures(r.result());
    assert.equal(f.ira, 50); // 2 of 4
    // 6 INVITEs, one 3xx: SER = 2 / 5, SEER = (2 x 200 + 486) / 5, ISA = (500 + no answer) / 6, SCR = 1 / 6
    assert.equal(f.ser, 40);
    assert.equal(f.seer, 60);
    assert.ok(Math.abs(f.isa! - 100 / 3) < 1e-9);
    assert.ok(Math.abs(f.scr! - 100 / 6) < 1e-9);
    assert.deepEqual(f.delays.rrd, { count: 1, p50: 40, p95: 40, p99: 40, max: 40 });
    assert.equal(f.delays.srd.count, 5);
    assert.deepEqual(f.delays.sdt, { count: 2, p50: 500, p95: 1000, p99: 1000, max: 1000 });
    assert.equal(f.delays.sdd.count, 2);
  });

  test("no attempt: no ratio (not 0 %, not NaN), histograms empty", () => {
    const f = loadFigures(new LoadRecorder(T0).result());
    assert.equal(f.ser, undefined);
    assert.equal(f.ira, undefined);
    assert.deepEqual(f.delays.srd, { count: 0 });
  });

  test("failures count under their requirement and in the second they happened", () => {
    const r = new LoadRecorder(T0);
    r.failure("response.cseq", T0 + 1500);
    r.failure("response.cseq", T0 + 2500);
    r.failure("invite.p-asserted-identity", T0 + 2600);
    const x = r.result();
    assert.deepEqual(x.failures, { "invite.p-asserted-identity": 1, "response.cseq": 2 });
    assert.deepEqual(
      x.series.map((s) => s.failures),
      [0, 1, 2],
    );
  });
});

describe("merging the results of several processes", () => {
  test("the merge of three shards is exactly one recorder that saw every flow: counts, histograms, percentiles, series", () => {
    const whole = new LoadRecorder(T0);
    // the shards started a little apart: their series are aligned on the earliest start
    const shards = [new LoadRecorder(T0), new LoadRecorder(T0 + 1000), new LoadRecorder(T0 + 2000)];
    let i = 0;
    for (const f of flows(3000)) {
      record(whole, f);
      const shard = shards[i++ % 3];
      const at = f.kind === "reg" ? f.at : f.s.inviteAt;
      record(at >= shard.startedAt ? shard : shards[0], f);
    }
    const merged = mergeLoadResults(shards.map((s) => JSON.parse(JSON.stringify(s.result())) as LoadResult));
    const one = whole.result();
    assert.deepEqual(merged.counts, one.counts);
    assert.deepEqual(merged.series, one.series);
    assert.equal(merged.startedAt, T0);
    assert.deepEqual(loadFigures(merged), loadFigures(one));
    // and merging is associative: (a + b) + c = a + (b + c)
    const [a, b, c] = shards.map((s) => s.result());
    assert.deepEqual(loadFigures(mergeLoadResults([mergeLoadResults([a, b]), c])), loadFigures(mergeLoadResults([a, mergeLoadResults([b, c])])));
  });

  test("an average of percentiles is not what the merge gives (why histograms, not figures, are merged)", () => {
    const fast = new LoadRecorder(T0);
    const slow = new LoadRecorder(T0);
    for (let k = 0; k < 99; k++) fast.session({ inviteAt: T0, firstResponseAt: T0 + 10, finalStatus: 200 });
    slow.session({ inviteAt: T0, firstResponseAt: T0 + 1000, finalStatus: 200 });
    const merged = loadFigures(mergeLoadResults([fast.result(), slow.result()]));
    const averaged = (loadFigures(fast.result()).delays.srd.p99! + loadFigures(slow.result()).delays.srd.p99!) / 2;
    assert.equal(merged.delays.srd.p99, 10);
    assert.notEqual(averaged, merged.delays.srd.p99);
  });
});

/** A trace entry of a UE at 127.0.0.1:5062 with the SUT at 127.0.0.1:5060. */
function entry(time: number, direction: "sent" | "received", text: string) {
  return {
    seq: 0,
    time,
    direction,
    protocol: "udp" as const,
    local: { protocol: "udp" as const, host: "127.0.0.1", port: 5062 },
    remote: { protocol: "udp" as const, host: "127.0.0.1", port: 5060 },
    bytes: Buffer.from(text),
  };
}

describe("samples from a flow's trace", () => {
  test("a retransmitted INVITE is one session attempt, its delay counted from the first sending (RFC 6076 4.3)", async () => {
    const { recordTrace } = await import("../../src/load/trace-metrics.ts");
    const headers = (cseq: string, extra = ""): string =>
      `Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>${extra}\r\nCall-ID: c1\r\nCSeq: ${cseq}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    const invite = `INVITE sip:b@x SIP/2.0\r\n${headers("1 INVITE")}`;
    const r = new LoadRecorder(T0);
    recordTrace(r, [
      entry(T0, "sent", invite),
      entry(T0 + 50, "sent", invite),
      entry(T0 + 150, "sent", invite),
      entry(T0 + 200, "received", `SIP/2.0 180 Ringing\r\n${headers("1 INVITE", ";tag=2")}`),
      entry(T0 + 300, "received", `SIP/2.0 486 Busy Here\r\n${headers("1 INVITE", ";tag=2")}`),
    ]);
    const x = r.result();
    assert.equal(x.counts.invites, 1);
    assert.equal(x.counts.invitesEffective, 1);
    assert.deepEqual(loadFigures(x).delays.srd, { count: 1, p50: 200, p95: 200, p99: 200, max: 200 });
  });

  test("a de-registration and a bindings query are no registration attempts; a registration with its challenge is one (RFC 6076 4.1)", async () => {
    const { recordTrace } = await import("../../src/load/trace-metrics.ts");
    const register = (callId: string, cseq: number, contact: string): string =>
      `REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK${callId}${cseq}\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:a@x>\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} REGISTER\r\n${contact}Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    const answer = (callId: string, cseq: number, status: string): string =>
      `SIP/2.0 ${status}\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK${callId}${cseq}\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:a@x>;tag=9\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} REGISTER\r\nContent-Length: 0\r\n\r\n`;
    const r = new LoadRecorder(T0);
    recordTrace(r, [
      // a flow that found UE-A registered: its de-registration (Expires 0) and bindings query (no Contact)
      entry(T0, "sent", register("standing", 5, "Contact: <sip:a@127.0.0.1:5062>;expires=0\r\n")),
      entry(T0 + 5, "received", answer("standing", 5, "200 OK")),
      entry(T0 + 6, "sent", register("standing", 6, "")),
      entry(T0 + 9, "received", answer("standing", 6, "200 OK")),
      // UE-B registers: challenged, then 200
      entry(T0 + 10, "sent", register("fresh", 1, "Contact: <sip:b@127.0.0.1:5064>\r\nExpires: 3600\r\n")),
      entry(T0 + 12, "received", answer("fresh", 1, "401 Unauthorized")),
      entry(T0 + 13, "sent", register("fresh", 2, "Contact: <sip:b@127.0.0.1:5064>\r\nExpires: 3600\r\n")),
      entry(T0 + 20, "received", answer("fresh", 2, "200 OK")),
    ]);
    const x = r.result();
    assert.deepEqual([x.counts.registrations, x.counts.registrationsOk], [1, 1]);
    assert.deepEqual(loadFigures(x).delays.rrd, { count: 1, p50: 10, p95: 10, p99: 10, max: 10 });
  });
});
