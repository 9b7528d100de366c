import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSippStat, sippSkip, startSipp, SIPP_MISSING } from "./sipp.ts";
import type { SippOptions, SippResult, SippTransport } from "./sipp.ts";
import { registrarAkaKeys, registrarDigestKeys, sippScenario, TEST_DIGEST_PASSWORD, TEST_PRIVATE_ID } from "../sipp/scenarios.ts";

describe("parseSippStat", () => {
  test("reads the cumulative counters of the last row", () => {
    const csv = [
      "StartTime;CurrentTime;SuccessfulCall(P);SuccessfulCall(C);FailedCall(C);Retransmissions(C);CallLength(C)",
      "2026-01-01\t00:00:00.000000\t1.0;x;0;0;0;0;00:00:00:000000",
      "2026-01-01\t00:00:00.000000\t1.0;x;2;5;1;3;00:00:04:012000",
      "",
    ].join("\n");
    assert.deepEqual(parseSippStat(csv), { SuccessfulCall: 5, FailedCall: 1, Retransmissions: 3 });
  });

  test("returns no counters without a data row", () => {
    assert.deepEqual(parseSippStat("StartTime;SuccessfulCall(C)\n"), {});
    assert.deepEqual(parseSippStat(""), {});
  });
});

test("the skip message names sipp", () => {
  assert.match(SIPP_MISSING, /^sipp \(Debian package sip-tester\) is not installed$/);
});

const TIMEOUT_MS = 30_000;
type Side = Omit<SippOptions, "transport" | "timeoutMs">;

/** Runs `server`, then `client` against it; returns both results. */
async function pair(transport: SippTransport, server: Side, client: Side): Promise<{ server: SippResult; client: SippResult }> {
  const srv = await startSipp({ ...server, transport, timeoutMs: TIMEOUT_MS });
  try {
    const cli = await startSipp({ ...client, transport, remote: `127.0.0.1:${srv.port}`, timeoutMs: TIMEOUT_MS });
    const clientResult = await cli.done;
    const serverResult = await srv.done;
    return { server: serverResult, client: clientResult };
  } finally {
    await srv.stop();
  }
}

function explain(r: SippResult): string {
  return `exit ${r.exitCode}, counters ${JSON.stringify(r.counters)}\nstderr: ${r.stderr}\nerrors: ${r.errors}`;
}

function assertAllSucceeded(r: SippResult, calls: number): void {
  assert.equal(r.timedOut, false, explain(r));
  assert.equal(r.exitCode, 0, explain(r));
  assert.equal(r.successful, calls, explain(r));
  assert.equal(r.failed, 0, explain(r));
}

const REGISTER_UE = { service: "alice", authUser: TEST_PRIVATE_ID, extraArgs: ["-auth_uri", "ims.example.test"] };

for (const transport of ["udp", "tcp"] as const) {
  describe(`sipp against sipp over ${transport}`, { skip: sippSkip() }, () => {
    const scratch: string[] = [];
    after(async () => {
      for (const dir of scratch) await rm(dir, { recursive: true, force: true });
    });

    test("built-in uac places 5 calls to built-in uas", async () => {
      const r = await pair(transport, { scenario: "uas", calls: 5 }, { scenario: "uac", calls: 5, rate: 10 });
      assertAllSucceeded(r.client, 5);
      assertAllSucceeded(r.server, 5);
      assert.equal(r.server.counters.IncomingCall, 5);
      assert.equal(r.client.counters.OutgoingCall, 5);
    });

    test("digest registration with the right password succeeds", async () => {
      const r = await pair(
        transport,
        { scenario: sippScenario("registrar-digest"), keys: registrarDigestKeys(), traceMessages: true },
        { scenario: sippScenario("uac-register-digest"), ...REGISTER_UE, authPass: TEST_DIGEST_PASSWORD },
      );
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
      assert.match(r.server.messages ?? "", /WWW-Authenticate: Digest realm="ims\.example\.test", nonce="[^"]+", algorithm=MD5, qop="auth"/);
      assert.match(r.server.messages ?? "", /Service-Route: <sip:orig@scscf\.ims\.example\.test;lr>/);
      assert.match(r.server.messages ?? "", /P-Associated-URI: <sip:alice@ims\.example\.test>, <tel:\+15551230001>/);
      assert.match(r.server.messages ?? "", /CSeq: 3 REGISTER\r?\nExpires: 0/);
    });

    test("digest registration with a wrong password is refused and counted failed", async () => {
      const r = await pair(
        transport,
        { scenario: sippScenario("registrar-digest"), keys: registrarDigestKeys(), traceMessages: true },
        { scenario: sippScenario("uac-register-digest"), ...REGISTER_UE, authPass: "wrong-password" },
      );
      assert.equal(r.server.exitCode, 1, explain(r.server));
      assert.equal(r.server.successful, 0, explain(r.server));
      assert.equal(r.server.failed, 1, explain(r.server));
      assert.equal(r.server.counters.FailedTestDoesntMatch, 1, explain(r.server));
      assert.match(r.server.messages ?? "", /SIP\/2\.0 403 Forbidden/);
      assert.equal(r.client.failed, 1, explain(r.client));
    });

    test("digest registration without de-registration succeeds after the registrar's wait", async () => {
      const dir = await mkdtemp(join(tmpdir(), "sipp-test-"));
      scratch.push(dir);
      const xml = await readFile(sippScenario("uac-register-digest"), "utf8");
      const cut = xml.lastIndexOf('  <send retrans="500">'); // the de-REGISTER and its 200
      assert.ok(xml.slice(cut).includes("Expires: 0"));
      const registerOnly = join(dir, "uac-register-only.xml");
      await writeFile(registerOnly, `${xml.slice(0, cut)}</scenario>\n`);
      const r = await pair(transport, { scenario: sippScenario("registrar-digest"), keys: registrarDigestKeys() }, { scenario: registerOnly, ...REGISTER_UE, authPass: TEST_DIGEST_PASSWORD });
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
    });

    test("IMS AKA registration (Milenage test set 1) succeeds", async () => {
      const r = await pair(
        transport,
        { scenario: sippScenario("registrar-aka"), keys: registrarAkaKeys({ uri: "sip:ims.example.test" }) },
        { scenario: sippScenario("uac-register-aka"), ...REGISTER_UE },
      );
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
    });

    test("IMS AKA registration under another username is refused", async () => {
      const r = await pair(
        transport,
        { scenario: sippScenario("registrar-aka"), keys: registrarAkaKeys({ uri: "sip:ims.example.test" }) },
        { scenario: sippScenario("uac-register-aka"), ...REGISTER_UE, authUser: "bob@ims.example.test" },
      );
      assert.equal(r.server.failed, 1, explain(r.server));
      assert.equal(r.server.counters.FailedStrcmpDoesntMatch, 1, explain(r.server));
      assert.equal(r.client.failed, 1, explain(r.client));
    });

    test("MESSAGE is accepted", async () => {
      const r = await pair(transport, { scenario: sippScenario("uas-message"), traceMessages: true }, { scenario: sippScenario("uac-message"), service: "bob" });
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
      assert.match(r.server.messages ?? "", /MESSAGE sip:bob@127\.0\.0\.1:\d+ SIP\/2\.0/);
      assert.match(r.server.messages ?? "", /X-Received-Content-Type: text\/plain/);
    });

    test("injectCsv feeds [field0]", async () => {
      const dir = await mkdtemp(join(tmpdir(), "sipp-test-"));
      scratch.push(dir);
      const xml = await readFile(sippScenario("uac-message"), "utf8");
      const fromCsv = join(dir, "uac-message-field0.xml");
      await writeFile(fromCsv, xml.replace("MESSAGE sip:[service]@", "MESSAGE sip:[field0]@"));
      const r = await pair(transport, { scenario: sippScenario("uas-message"), traceMessages: true }, { scenario: fromCsv, injectCsv: "SEQUENTIAL\ncarol;\n" });
      assertAllSucceeded(r.client, 1);
      assert.match(r.server.messages ?? "", /MESSAGE sip:carol@127\.0\.0\.1:\d+ SIP\/2\.0/);
    });

    test("reliable 183 with PRACK", async () => {
      const r = await pair(transport, { scenario: sippScenario("uas-prack"), traceMessages: true }, { scenario: sippScenario("uac-prack") });
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
      // SDP answer: the first offered format with its rtpmap.
      assert.match(r.server.messages ?? "", /RSeq: 1\r?\n[^]*m=audio \d+ RTP\/AVP 0\r?\na=rtpmap:0 PCMU\/8000\r?\na=sendrecv/);
    });

    test("a PRACK with a wrong RAck is counted failed", async () => {
      const dir = await mkdtemp(join(tmpdir(), "sipp-test-"));
      scratch.push(dir);
      const xml = await readFile(sippScenario("uac-prack"), "utf8");
      const badRack = join(dir, "uac-prack-bad-rack.xml");
      await writeFile(badRack, xml.replace("RAck: [$rseq] 1 INVITE", "RAck: [$rseq] 7 INVITE"));
      const r = await pair(transport, { scenario: sippScenario("uas-prack") }, { scenario: badRack });
      assert.equal(r.server.failed, 1, explain(r.server));
      assert.equal(r.server.counters.FailedRegexpDoesntMatch ?? 0, 0, explain(r.server));
      assert.equal(r.server.counters.FailedStrcmpDoesntMatch, 1, explain(r.server));
    });

    test("preconditions with PRACK and UPDATE", async () => {
      const r = await pair(transport, { scenario: sippScenario("uas-update"), traceMessages: true }, { scenario: sippScenario("uac-update") });
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
      // The AMR-WB offer comes first: answered with its rtpmap and fmtp.
      assert.match(r.server.messages ?? "", /m=audio \d+ RTP\/AVP 97\r?\na=rtpmap:97 AMR-WB\/16000\r?\na=fmtp:97 mode-change-capability=2;max-red=0\r?\na=curr:qos local none/);
    });

    test("CANCEL of a ringing call", async () => {
      const r = await pair(transport, { scenario: sippScenario("uas-cancel"), traceMessages: true }, { scenario: sippScenario("uac-cancel") });
      assertAllSucceeded(r.client, 1);
      assertAllSucceeded(r.server, 1);
      assert.match(r.server.messages ?? "", /SIP\/2\.0 487 Request Terminated/);
    });

    test("the silent UAS takes a request and never answers", async () => {
      const srv = await startSipp({ scenario: sippScenario("uas-silent"), transport, timeoutMs: TIMEOUT_MS });
      try {
        const cli = await startSipp({
          scenario: sippScenario("uac-message"),
          transport,
          remote: `127.0.0.1:${srv.port}`,
          extraArgs: ["-recv_timeout", "1000"],
          timeoutMs: TIMEOUT_MS,
        });
        const client = await cli.done;
        assert.equal(client.failed, 1, explain(client));
        assert.equal(client.counters.FailedTimeoutOnRecv, 1, explain(client));
      } finally {
        const server = await srv.stop();
        assert.equal(server.timedOut, false);
        assert.equal(server.counters.IncomingCall, 1, explain(server));
        assert.equal(server.successful, 0);
        assert.equal(server.failed, 0);
      }
    });

    test("timeoutMs stops SIPp and leaves no process behind", async () => {
      const run = await startSipp({ scenario: sippScenario("uas-silent"), transport, timeoutMs: 300 });
      const result = await run.done;
      assert.equal(result.timedOut, true);
      assert.ok(run.pid !== undefined);
      assert.throws(() => process.kill(run.pid!, 0), { code: "ESRCH" });
    });
  });
}
