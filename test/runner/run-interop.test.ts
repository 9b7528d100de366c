// The interop suite (issue 15) against real networks: two embedded reference cores with different
// home domains (profiles/embedded.yaml and profiles/embedded-b.yaml), and one of them with Kamailio
// (profiles/kamailio.yaml as a process target). With no fault every IMS-IOP test case passes in both
// ordered pairs; with each interconnect fault given to the first network exactly the test cases of
// the table fail, in the pair whose requests cross its boundary, for the reason the table names, and
// every other one passes. Then the shards of the pairs (`--pair`), the profiles an interop run refuses
// before it starts anything, and a network that does not start.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { loadProfile } from "../../src/profile/index.ts";
import type { FaultName } from "../../src/profile/profile.ts";
import { type InteropOptions, type InteropResult, InteropInputError, interopProblem, runInterop } from "../../src/runner/index.ts";
import { KAMAILIO_PASSWORDS, kamailioProfileOnFreePorts, kamailioSkip } from "../support/kamailio.ts";
import { pickFreePort } from "../support/sipp.ts";
import { freeForUdpAndTcp } from "../support/ports.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const EMBEDDED = join(PROJECT, "profiles/embedded.yaml");
const EMBEDDED_B = join(PROJECT, "profiles/embedded-b.yaml");
const KAMAILIO = join(PROJECT, "profiles/kamailio.yaml");
const SELF_TEST_UE = join(PROJECT, "profiles/self-test-ue.yaml");

const A = "Embedded reference core";
const B = "Reference core B";
const K = "Kamailio 5.6 IMS-like core (process)";
const IOP = ["IMS-IOP-001", "IMS-IOP-002", "IMS-IOP-003"];

/** Where the test's temporary profiles go; removed at the end. */
const scratch: string[] = [];
after(() => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));
async function scratchDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ims-interop-run-interop-"));
  scratch.push(d);
  return d;
}

function run(profileFiles: string[], more: Partial<InteropOptions> = {}): Promise<InteropResult> {
  return runInterop({ profileFiles, projectDir: PROJECT, ...more });
}

/** "<pair label> <test case id>" -> verdict, for every result that did not pass. */
function notPassing(r: InteropResult): Record<string, string> {
  return Object.fromEntries(r.pairs.flatMap((p) => p.results.filter((x) => x.verdict !== "pass").map((x) => [`${p.label} ${x.testCase.id}`, x.verdict])));
}

/** Every result of every pair, for an assertion's message. */
function described(r: InteropResult): string {
  return r.pairs.flatMap((p) => p.results.map((x) => `${p.label} ${x.testCase.id} ${x.verdict}${x.reason ? `: ${x.reason.slice(0, 400)}` : ""}`)).join("\n");
}

/** The test case ids of each pair, in order. */
function idsByPair(r: InteropResult): Record<string, string[]> {
  return Object.fromEntries(r.pairs.map((p) => [p.label, p.results.map((x) => x.testCase.id)]));
}

/** The SIP ports of the networks the run started, from their descriptions ("... at UDP/TCP 127.0.0.1:40213", `process "sh" at 127.0.0.1:25070`). */
function sutPorts(r: InteropResult): number[] {
  return r.networks.flatMap((n) => {
    const m = / at (?:UDP\/TCP )?127\.0\.0\.1:(\d+)/.exec(n.sut);
    return m ? [Number(m[1])] : [];
  });
}

async function assertPortsFree(r: InteropResult): Promise<void> {
  for (const port of sutPorts(r)) assert.ok(await freeForUdpAndTcp(port), `port ${port} of a network of the run is free again`);
}

/** The direct children of this process (pid and command line). */
function children(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ")}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Processes whose command line contains `text`. */
function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ");
      if (cmdline.includes(text)) found.push(`${pid} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Sets variables for the duration of `body`, then restores what was there. */
async function withEnv<T>(vars: Readonly<Record<string, string>>, body: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

type Expected = Record<string, Record<string, [verdict: string, symptom: RegExp]>>;

/**
 * Interconnect fault given to network 1 (the embedded core, ims.example.test) -> pair label -> the
 * test cases that do not pass, with their verdict and a symptom their reason must show; every other
 * test case of every pair passes. The faults act only on requests the core sends to another network,
 * so the pair B -> A (the faulty core terminating) passes throughout.
 */
const EXPECTED: Record<"drop-pai-at-boundary" | "lose-record-route-across" | "reject-foreign-domain", Expected> = {
  // UE-B learns no asserted caller: the message judged is the one network B delivered (the monitor's receiver label)
  "drop-pai-at-boundary": {
    [`${A} -> ${B}`]: {
      "IMS-IOP-001": [
        "fail",
        /^Requirement: invite\.p-asserted-identity: [\s\S]*Received: P-Asserted-Identity: absent, Privacy: absent in INVITE [\s\S]*from network Reference core B \(reference-core 0\.1\.0\)/,
      ],
      "IMS-IOP-002": [
        "fail",
        /^Requirement: message\.p-asserted-identity: [\s\S]*Received: P-Asserted-Identity: absent, Privacy: absent in MESSAGE [\s\S]*from network Reference core B \(reference-core 0\.1\.0\)/,
      ],
      "IMS-IOP-003": ["fail", /^Requirement: invite\.p-asserted-identity: [\s\S]*from network Reference core B /],
    },
  },
  // Only IOP-001 looks at the route set; B's Record-Route is still there, A's is missing
  "lose-record-route-across": {
    [`${A} -> ${B}`]: {
      "IMS-IOP-001": [
        "fail",
        /^Expected: Record-Route values naming network Embedded reference core \(127\.0\.0\.1:\d+\) and network Reference core B \(127\.0\.0\.1:\d+\): [^\n]*; none names network Embedded reference core\nReceived: INVITE /,
      ],
    },
  },
  // The 404 of the originating core: the INVITE and MESSAGE steps say so at once
  "reject-foreign-domain": {
    [`${A} -> ${B}`]: {
      "IMS-IOP-001": [
        "fail",
        /^Expected: an INVITE for UE-B \(sip:ben@ims-b\.example\.test\)\nReceived: UE-A's INVITE was answered SIP\/2\.0 404 Not Found by the network instead\nClause: +TS 24\.229 5\.4\.3\.2/,
      ],
      "IMS-IOP-002": ["fail", /^Expected: a MESSAGE for UE-B \(sip:ben@ims-b\.example\.test\)\nReceived: UE-A.s MESSAGE was answered SIP\/2\.0 404 Not Found by the network instead/],
      "IMS-IOP-003": ["fail", /^Expected: an INVITE for UE-B \(sip:ben@ims-b\.example\.test\)\nReceived: UE-A's INVITE was answered SIP\/2\.0 404 Not Found/],
    },
  },
};

/** The verdicts and symptoms of `expected` (other results must pass); every pair has all three test cases. */
function assertVerdicts(r: InteropResult, expected: Expected): void {
  const verdicts = Object.fromEntries(Object.entries(expected).flatMap(([label, ids]) => Object.entries(ids).map(([id, [verdict]]) => [`${label} ${id}`, verdict])));
  assert.deepEqual(notPassing(r), verdicts, described(r));
  for (const p of r.pairs)
    assert.deepEqual(
      p.results.map((x) => x.testCase.id),
      IOP,
      p.label,
    );
  for (const [label, ids] of Object.entries(expected))
    for (const [id, [, symptom]] of Object.entries(ids)) {
      const reason = r.pairs.find((p) => p.label === label)?.results.find((x) => x.testCase.id === id)?.reason ?? "";
      assert.match(reason, symptom, `${label} ${id} should name the symptom; its message was:\n${reason}`);
    }
}

describe("the interop suite between two embedded reference cores", { timeout: 120_000 }, () => {
  test("with no fault, every IMS-IOP test case passes in both ordered pairs, each judging the messages against the requirements", async () => {
    const r = await run([EMBEDDED, EMBEDDED_B]);
    assert.deepEqual(
      r.networks.map((n) => [n.name, n.domain, n.profileFile]),
      [
        [A, "ims.example.test", EMBEDDED],
        [B, "ims-b.example.test", EMBEDDED_B],
      ],
    );
    for (const n of r.networks) assert.match(n.sut, /^embedded reference core at UDP\/TCP 127\.0\.0\.1:\d+$/);
    assert.equal(r.pairCount, 2);
    assert.deepEqual(
      r.pairs.map((p) => [p.label, p.originating, p.terminating]),
      [
        [`${A} -> ${B}`, 0, 1],
        [`${B} -> ${A}`, 1, 0],
      ],
    );
    assert.deepEqual(notPassing(r), {}, described(r));
    assert.deepEqual(idsByPair(r), { [`${A} -> ${B}`]: IOP, [`${B} -> ${A}`]: IOP });
    for (const p of r.pairs) {
      assert.deepEqual(p.counts, { ...Object.fromEntries(Object.keys(p.counts).map((v) => [v, 0])), pass: 3 }, p.label);
      const iop1 = p.results.find((x) => x.testCase.id === "IMS-IOP-001")!;
      assert.ok((iop1.requirements ?? []).length > 0, `${p.label} IMS-IOP-001 checked requirements`);
      // The INVITE UE-B received across the boundary was judged, and found right
      assert.ok(
        iop1.requirements!.some((q) => q.id === "invite.p-asserted-identity" && q.checked > 0 && q.violated === 0),
        `${p.label}: ${JSON.stringify(iop1.requirements)}`,
      );
      for (const x of p.results) assert.ok((x.requirements ?? []).length > 0, `${p.label} ${x.testCase.id} checked requirements`);
    }
    assert.equal(r.interrupted, undefined);
    assert.ok(r.durationMs > 0 && !Number.isNaN(Date.parse(r.startedAt)));
    await assertPortsFree(r);
  });

  for (const [fault, expected] of Object.entries(EXPECTED) as [FaultName, Expected][]) {
    test(`with ${fault} in network 1 only, exactly the expected test cases fail, the others pass`, async () => {
      const r = await run([EMBEDDED, EMBEDDED_B], { faults: [[fault], []] });
      // A fault must not pass its own pairs: it breaks something where its requests cross the boundary
      const own = r.pairs.find((p) => p.label === `${A} -> ${B}`)!;
      assert.ok(
        own.results.some((x) => x.verdict !== "pass"),
        `${fault} passed ${own.label}:\n${described(r)}`,
      );
      assertVerdicts(r, expected);
      await assertPortsFree(r);
    });
  }

  test("--pair 2/2 runs only the second ordered pair (B -> A); pairCount and the networks are those of the whole run", async () => {
    const r = await run([EMBEDDED, EMBEDDED_B], { pair: { index: 2, total: 2 } });
    assert.equal(r.pairCount, 2);
    assert.deepEqual(
      r.pairs.map((p) => [p.label, p.originating, p.terminating]),
      [[`${B} -> ${A}`, 1, 0]],
    );
    assert.deepEqual(
      r.networks.map((n) => n.name),
      [A, B],
    );
    for (const n of r.networks) assert.match(n.sut, /^embedded reference core at /, "both networks of the pair were started");
    assert.deepEqual(notPassing(r), {}, described(r));
    assert.deepEqual(idsByPair(r), { [`${B} -> ${A}`]: IOP });
    await assertPortsFree(r);
  });
});

/** profiles/kamailio.yaml on free ports, in a scratch folder of this file. */
async function kamailioProfile(): Promise<{ file: string; port: number }> {
  return kamailioProfileOnFreePorts(await scratchDir());
}

describe("the interop suite between an embedded reference core and Kamailio", { skip: kamailioSkip(), timeout: 120_000 }, () => {
  async function runWithKamailio(faults?: InteropOptions["faults"]): Promise<InteropResult> {
    const { file, port } = await kamailioProfile();
    // What ran while the test cases did: Kamailio itself, on the profile's port
    let during: string[] = [];
    const onStart = (): void => {
      if (during.length === 0) during = processesWith(`SIP_PORT=${port}`);
    };
    const r = await withEnv(KAMAILIO_PASSWORDS, () => run([EMBEDDED_B, file], { onStart, ...(faults ? { faults } : {}) }));
    assert.ok(
      during.some((p) => / kamailio -f /.test(` ${p.replace(/^\d+ /, "")}`)),
      `Kamailio ran during the test cases: ${during.join(" | ")}`,
    );
    assert.deepEqual(
      r.networks.map((n) => [n.name, n.domain]),
      [
        [B, "ims-b.example.test"],
        [K, "ims.example.test"],
      ],
    );
    assert.match(r.networks[1].sut, new RegExp(`^process "sh" at 127\\.0\\.0\\.1:${port} \\(pid \\d+\\)$`));
    assert.deepEqual(
      r.pairs.map((p) => p.label),
      [`${B} -> ${K}`, `${K} -> ${B}`],
    );
    assert.deepEqual(idsByPair(r), { [`${B} -> ${K}`]: IOP, [`${K} -> ${B}`]: IOP });
    // Nothing left: Kamailio (run by run-kamailio.sh with SIP_PORT=<port>) stopped, its port free
    assert.deepEqual(processesWith(`SIP_PORT=${port}`), []);
    await assertPortsFree(r);
    for (const k of Object.keys(KAMAILIO_PASSWORDS)) assert.equal(process.env[k], undefined, `${k} restored`);
    return r;
  }

  test("with no fault, every IMS-IOP test case passes in both pairs", async () => {
    const r = await runWithKamailio();
    assert.deepEqual(notPassing(r), {}, described(r));
  });

  test("with drop-pai-at-boundary in the embedded core, its calls and messages to Kamailio arrive without P-Asserted-Identity; the other way passes", async () => {
    // Kamailio keeps a peer's P-Asserted-Identity as received (TS 24.229 4.4): none was sent, none arrives
    const r = await runWithKamailio([["drop-pai-at-boundary"], []]);
    const from = /from network Kamailio 5\.6 IMS-like core \(process\) \(kamailio 5\.6\)/;
    assertVerdicts(r, {
      [`${B} -> ${K}`]: {
        "IMS-IOP-001": ["fail", new RegExp(`^Requirement: invite\\.p-asserted-identity: [\\s\\S]*Received: P-Asserted-Identity: absent[\\s\\S]*${from.source}`)],
        "IMS-IOP-002": ["fail", new RegExp(`^Requirement: message\\.p-asserted-identity: [\\s\\S]*Received: P-Asserted-Identity: absent[\\s\\S]*${from.source}`)],
        "IMS-IOP-003": ["fail", /^Requirement: invite\.p-asserted-identity: /],
      },
    });
  });
});

describe("profiles an interop run refuses, before it starts anything", () => {
  test("one profile: at least two networks are needed", async () => {
    await assert.rejects(run([EMBEDDED]), (e: unknown) => e instanceof InteropInputError && /^an interop run needs at least two profiles \(networks\); given 1$/.test(e.message));
  });

  test("two profiles serving the same domain: refused naming both files and the domain", async () => {
    await assert.rejects(run([EMBEDDED, EMBEDDED]), (e: unknown) => e instanceof InteropInputError && e.message.startsWith(`${EMBEDDED} and ${EMBEDDED} both serve the domain ims.example.test: `));
    // Two different files: embedded.yaml and Kamailio both serve ims.example.test (the domain compared without regard to case)
    const env = { ...process.env, ...KAMAILIO_PASSWORDS };
    const [embedded, kamailio] = [await loadProfile(EMBEDDED, env), await loadProfile(KAMAILIO, env)];
    assert.match(interopProblem([embedded, kamailio]) ?? "", new RegExp(`^${EMBEDDED} and ${KAMAILIO} both serve the domain ims\\.example\\.test: `));
    const shouting = { ...kamailio, ixit: { ...kamailio.ixit, domain: "IMS.Example.Test" } };
    assert.match(interopProblem([embedded, shouting]) ?? "", /both serve the domain IMS\.Example\.Test/);
    await assert.rejects(run([EMBEDDED, KAMAILIO], { profiles: [embedded, kamailio] }), InteropInputError);
    assert.equal(interopProblem([embedded, await loadProfile(EMBEDDED_B)]), undefined);
  });

  test("a terminal profile: refused, it pairs networks, not a UE under test", async () => {
    await assert.rejects(
      run([SELF_TEST_UE, EMBEDDED_B]),
      (e: unknown) => e instanceof InteropInputError && e.message.startsWith(`${SELF_TEST_UE}: a terminal profile (a UE under test) has no place in an interop run`),
    );
  });

  test("a process profile without ixit.interconnect.address: refused naming the file and the field", async () => {
    const dir = await scratchDir();
    const file = join(dir, "kamailio-no-interconnect.yaml");
    const text = (await readFile(KAMAILIO, "utf8")).replace(/^ {2}interconnect:.*\n {4}address:.*\n/m, "");
    assert.doesNotMatch(text, /interconnect:|address:/);
    await writeFile(file, text);
    await withEnv(KAMAILIO_PASSWORDS, async () => {
      await assert.rejects(run([EMBEDDED_B, file]), (e: unknown) => e instanceof InteropInputError && e.message.startsWith(`${file}: ixit.interconnect.address is needed in an interop run: `));
    });
  });
});

describe("a network that does not start", () => {
  test("its pairs' test cases are error naming it and 'did not start'; the run returns and leaves nothing running", async () => {
    const dir = await scratchDir();
    const port = await pickFreePort();
    const file = join(dir, "dead.yaml");
    await writeFile(
      file,
      [
        "name: Dead network",
        "vendor: nobody",
        "product: dead",
        'version: "1"',
        "target:",
        "  kind: process",
        "  command: sh",
        '  args: ["-c", "exit 3"]',
        "  startTimeoutMs: 5000",
        "ixit:",
        "  domain: ims-x.example.test",
        `  pcscf: { host: 127.0.0.1, port: ${port} }`,
        `  interconnect: { address: { host: 127.0.0.1, port: ${port} } }`,
        "  transports: [udp]",
        "  localHost: 127.0.0.1",
        "  timers: { t1: 500, t2: 4000, t4: 5000 }",
        "  unregisteredImpu: sip:zed@ims-x.example.test",
        "  unknownImpi: nobody@ims-x.example.test",
        "  subscribers:",
        "    - { role: UE-A, impi: xa@ims-x.example.test, impus: [sip:xa@ims-x.example.test], auth: { kind: digest, passwordEnv: IOP_TEST_X_UE_A_PASSWORD } }",
        "    - { role: UE-B, impi: xb@ims-x.example.test, impus: [sip:xb@ims-x.example.test], auth: { kind: digest, passwordEnv: IOP_TEST_X_UE_B_PASSWORD } }",
        "pics: { digest: true, preconditions: true, 100rel: true }",
        "knownDeviations: {}",
        "",
      ].join("\n"),
    );
    const before = children();
    const r = await withEnv({ IOP_TEST_X_UE_A_PASSWORD: "xa-secret", IOP_TEST_X_UE_B_PASSWORD: "xb-secret" }, () => run([file, EMBEDDED_B]));
    const dead = new RegExp(`^network Dead network \\(${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\) did not start: the SUT process "sh -c exit 3" did not start: it exited with code 3`);
    assert.match(r.networks[0].sut, /^not running: network Dead network .* did not start: /);
    assert.match(r.networks[1].sut, /^embedded reference core at /, "the other network started (and was stopped)");
    assert.equal(r.pairCount, 2);
    assert.deepEqual(
      r.pairs.map((p) => p.label),
      ["Dead network -> Reference core B", "Reference core B -> Dead network"],
    );
    for (const p of r.pairs) {
      assert.deepEqual(
        p.results.map((x) => [x.testCase.id, x.verdict]),
        IOP.map((id) => [id, "error"]),
        p.label,
      );
      for (const x of p.results) assert.match(x.reason ?? "", dead, `${p.label} ${x.testCase.id}`);
      assert.equal(p.counts.error, 3);
    }
    // Nothing left: no child process of this test, the embedded core's port and the dead network's free
    assert.deepEqual(
      children().filter((c) => !before.includes(c)),
      [],
    );
    await assertPortsFree(r);
    assert.ok(await freeForUdpAndTcp(port));
  });
});
