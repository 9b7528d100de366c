// Issue 11, the command line as a user meets it: a --tags that selects nothing or is malformed is
// one line and exit 2 with the previous outputs untouched, a word no tag names is a warning; list
// honours the selection; list and validate need no secret; the usage, the help of one command, and a
// usage error in two lines; --fault against another target; report on a folder that does not exist.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");
const FAST = "test/fixtures/profiles/embedded-fast.yaml";
/** The secret variables of the profiles used here, removed: list and validate must not need them. */
const SECRET_NAMES = ["IMS_UE_A_K", "IMS_UE_A_OPC", "IMS_UE_A_PASSWORD", "IMS_UE_B_PASSWORD", "IMS_UE_C_PASSWORD", "IMS_UE_W_PASSWORD", "IMS_UE_V_PASSWORD"];

function cli(args: string[], env: Record<string, string> = {}, unset: readonly string[] = []): { code: number | null; out: string; err: string } {
  const base = { ...process.env };
  for (const name of unset) delete base[name];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, env: { ...base, ...env }, encoding: "utf8", timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A reports folder as a previous run left it. */
async function previousRun(): Promise<string> {
  const reports = await mkdtemp(join(tmpdir(), "ims-interop-previous-"));
  await writeFile(join(reports, "summary.json"), JSON.stringify({ previous: true }));
  await writeFile(join(reports, "junit.xml"), '<testsuites previous="true"/>');
  await mkdir(join(reports, "allure-results"));
  await writeFile(join(reports, "allure-results", "previous-result.json"), "{}");
  return reports;
}

async function assertUntouched(reports: string): Promise<void> {
  assert.equal(await readFile(join(reports, "summary.json"), "utf8"), JSON.stringify({ previous: true }));
  assert.equal(await readFile(join(reports, "junit.xml"), "utf8"), '<testsuites previous="true"/>');
  assert.ok(existsSync(join(reports, "allure-results", "previous-result.json")), "allure-results untouched");
  assert.ok(!existsSync(join(reports, ".ims-interop.lock")));
}

describe("run --tags", () => {
  const refused: Array<[string, string, RegExp]> = [
    ["a typo", "@IMS-REG-01", /^ims-interop: no test case matches --tags "@IMS-REG-01"; nearest: @IMS-REG-001, @IMS-REG-010, @IMS-REG-011 \(ims-interop list shows them all\)$/],
    ["no @", "IMS-REG-001", /^ims-interop: no test case matches --tags "IMS-REG-001"; nearest: @IMS-REG-001 \(a tag starts with @\)/],
    ["a malformed expression", "@IMS-REG-001 or", /^ims-interop: --tags "@IMS-REG-001 or" is not a tag expression: .*Expected operand/],
  ];
  for (const [what, tags, message] of refused) {
    test(`${what}: one line, exit 2, the previous summary.json and allure-results untouched`, async () => {
      const reports = await previousRun();
      const r = cli(["run", "--profile", FAST, "--tags", tags, "--reports", reports]);
      assert.equal(r.code, 2, r.out + r.err);
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(r.err.trim(), message);
      assert.doesNotMatch(r.out, /running the suite/);
      await assertUntouched(reports);
    });
  }

  test("a word that is no tag while the rest selects something: a one-line warning naming it and the nearest ids; the run goes on", async () => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-warning-"));
    const r = cli(["run", "--profile", FAST, "--tags", "@IMS-REG-01 or @IMS-MSG-001", "--reports", reports]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
    assert.match(
      r.err,
      /^ims-interop: warning: --tags "@IMS-REG-01 or @IMS-MSG-001": @IMS-REG-01 is no tag of the suite \(nearest: @IMS-REG-001, @IMS-REG-010, @IMS-REG-011\); running what the rest of the expression selects\n$/,
    );
    assert.match(r.out, /pass +IMS-MSG-001/);
    assert.match(r.out, /1 pass, 0 fail, 0 inconclusive, 0 not applicable, 0 error/);
  });
});

describe("list", () => {
  test("--tags and --shard select what run would run", () => {
    const tagged = cli(["list", "--profile", FAST, "--tags", "@IMS-REG-001 or @IMS-MSG-001"]);
    assert.equal(tagged.code, 0, tagged.err);
    assert.deepEqual(
      tagged.out
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[0]),
      ["IMS-MSG-001", "IMS-REG-001"],
    );
    const ids = (out: string): string[] =>
      out
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[0]);
    const all = cli(["list", "--profile", FAST]);
    const shard = cli(["list", "--profile", FAST, "--shard", "2/5"]);
    assert.equal(shard.code, 0, shard.err);
    // Shard i of n: the test cases at positions i-1, i-1+n, ... in identifier order
    const expected = ids(all.out)
      .sort()
      .filter((_, i) => i % 5 === 1);
    assert.ok(expected.length >= 5);
    assert.deepEqual(ids(shard.out), expected);
    const none = cli(["list", "--tags", "@IMS-REG-1"]);
    assert.equal(none.code, 2);
    assert.match(none.err, /no test case matches --tags "@IMS-REG-1"/);
  });

  test("a profile whose secret variables are unset (kamailio.yaml): listed, with its known deviations", () => {
    const r = cli(["list", "--profile", "profiles/kamailio.yaml", "--tags", "@IMS-REG-007 or @IMS-REG-001"], {}, SECRET_NAMES);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^IMS-REG-001 +mandatory +not applicable .*\(known deviation: not applicable: no AKA/m);
    assert.match(r.out, /^IMS-REG-007 +mandatory +applicable +Subscription to the reg event package \(known deviation: fail, a defect of Kamailio 5\.6…\)$/m);
  });
});

describe("validate", () => {
  test("--profile <file> as well as <file>", () => {
    for (const args of [
      ["validate", "--profile", "profiles/embedded.yaml"],
      ["validate", "profiles/embedded.yaml"],
    ]) {
      const r = cli(args);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^profiles\/embedded\.yaml: valid \(Embedded reference core; target embedded/);
    }
  });

  test("unset secret variables: valid, and it says that they were not checked, naming them", () => {
    const r = cli(["validate", "--profile", "profiles/kamailio.yaml"], { IMS_UE_A_PASSWORD: "only-this-one" }, SECRET_NAMES);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /profiles\/kamailio\.yaml: valid \(Kamailio 5\.6/);
    assert.match(r.out, /^secrets not checked: IMS_UE_B_PASSWORD, IMS_UE_C_PASSWORD, IMS_UE_V_PASSWORD, IMS_UE_W_PASSWORD are not set \(run needs them; list and validate do not\)$/m);
    assert.doesNotMatch(r.out + r.err, /only-this-one/);
    // run needs them: the same profile is refused there, one line per field
    const run = cli(["run", "--profile", "profiles/kamailio.yaml"], {}, SECRET_NAMES);
    assert.equal(run.code, 2);
    assert.match(run.err, /kamailio\.yaml:\d+: ixit\.subscribers\[0\]\.auth\.passwordEnv: environment variable IMS_UE_A_PASSWORD is not set/);
  });
});

describe("usage and help", () => {
  test("no command: the short usage on stderr, exit 2", () => {
    const r = cli([]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^Usage: ims-interop <command> \[options\]\n/);
    assert.match(r.err, /ims-interop help <command> shows one command's options/);
    assert.ok(r.err.split("\n").length < 14, r.err);
  });

  test("help run and run --help: that command's help and the exit codes, no other command", () => {
    for (const args of [
      ["help", "run"],
      ["run", "--help"],
    ]) {
      const r = cli(args);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^ims-interop run \[--profile <file>\]/);
      assert.match(r.out, /--verbose/);
      assert.match(r.out, /^ {2}3 +the test bed or the harness/m);
      assert.match(r.out, /knownDeviations keeps its verdict and counts for the gate/);
      assert.doesNotMatch(r.out, /ims-interop (merge|compare|list|validate|report) /);
    }
    const all = cli(["help"]);
    assert.equal(all.code, 0);
    for (const c of ["run", "list", "validate", "merge", "compare", "report"]) assert.match(all.out, new RegExp(`^ims-interop ${c} `, "m"));
  });

  test("a usage error: one line and where to read more, exit 2", () => {
    const r = cli(["run", "--parallel", "two"]);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'ims-interop: --parallel takes a whole number, not "two"\nsee: ims-interop help run\n');
    const unknown = cli(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.err, 'ims-interop: unknown command "frobnicate"; expected one of run, interop, load, report, merge, compare, list, validate, version\nsee: ims-interop help\n');
  });

  test("--fault with a profile that is not the embedded core: a usage error naming the target kind, before any secret is needed", () => {
    const r = cli(["run", "--profile", "profiles/kamailio.yaml", "--fault", "no-100rel"], {}, SECRET_NAMES);
    assert.equal(r.code, 2);
    assert.equal(r.err, "ims-interop: --fault applies to the embedded reference core; profile profiles/kamailio.yaml has target kind process\nsee: ims-interop help run\n");
  });

  test("report --reports on a folder that does not exist, or holds no result: one line, exit 2", async () => {
    const r = cli(["report", "--reports", "/does/not/exist"]);
    assert.equal(r.code, 2);
    assert.equal(r.err, "ims-interop: the reports folder /does/not/exist does not exist: ims-interop run --reports /does/not/exist writes it\n");
    const empty = await mkdtemp(join(tmpdir(), "ims-interop-empty-"));
    const none = cli(["report", "--reports", empty, "--serve"]);
    assert.equal(none.code, 2);
    assert.equal(none.err, `ims-interop: ${empty}/allure-results holds no test result: ims-interop run --reports ${empty} writes them\n`);
  });
});
