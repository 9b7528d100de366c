// The live screen of a load run: what it shows of a known state, a line every 10 s of the run off a
// terminal, a redraw in place on one, the final state once on stop(), and a timer that lets the
// process exit. Timers are mocked: nothing here waits.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";
import { type LiveState, renderLiveScreen, startLiveScreen } from "../../src/load/live-screen.ts";
import type { LoadSecond } from "../../src/load/metrics.ts";

function second(over: Partial<LoadSecond> = {}): LoadSecond {
  return { started: 0, passed: 0, failures: 0, inFlight: 0, registrations: 0, invites: 0, established: 0, rrdSum: 0, rrdCount: 0, srdSum: 0, srdCount: 0, ...over };
}

function state(over: Partial<LiveState> = {}): LiveState {
  const series = Array.from({ length: 84 }, () => second({ started: 50, srdSum: 500, srdCount: 25, rrdSum: 30, rrdCount: 3 }));
  series[82] = second({ started: 48, srdSum: 234, srdCount: 10 }); // the last full second at 83.5 s
  series[83] = second({ started: 7, srdSum: 9000, srdCount: 1, rrdSum: 10, rrdCount: 1 }); // the current one, not full yet
  return {
    elapsedMs: 83_500,
    started: 4123,
    passed: 4100,
    failed: 11,
    inFlight: 12,
    slots: 16,
    targetRate: 50,
    failures: { timeout: 4, "response.cseq": 7 },
    series,
    durationMs: 300_000,
    ...over,
  };
}

class FakeStream {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

describe("renderLiveScreen", () => {
  test("a known state: elapsed, rate of the last full second, in flight, totals, delays, failures by count", () => {
    const lines = renderLiveScreen(state()).split("\n");
    assert.equal(lines.length, 9);
    assert.equal(lines[0].length, 80);
    assert.match(lines[0], /^-+ ims-interop load -+$/);
    assert.equal(lines[1], "  elapsed   00:01:23 / 00:05:00 (27 %)");
    assert.equal(lines[2], "  rate      48 flows/s (last second)   target 50 flows/s");
    assert.equal(lines[3], "  in flight 12 / 16 slots");
    assert.equal(lines[4], "  flows     4123 started   4100 passed   11 failed");
    assert.equal(lines[5], "  delays    last second: SRD mean 23.4 ms   RRD mean -");
    assert.equal(lines[6], "  failures by requirement:");
    assert.equal(lines[7], "    7  response.cseq");
    assert.equal(lines[8], "    4  timeout");
  });

  test("the first second has no rate; no target, a flow cap and no failures are said", () => {
    const text = renderLiveScreen(state({ elapsedMs: 600, targetRate: undefined, durationMs: undefined, flowsCap: 10_000, failures: {} }));
    assert.match(text, /^ {2}elapsed {3}00:00:00$/m);
    assert.match(text, /^ {2}rate {6}- flows\/s \(last second\) {3}target none \(as fast as slots free\)$/m);
    assert.match(text, /^ {2}flows {5}4123 started of 10000 {3}4100 passed {3}11 failed$/m);
    assert.match(text, /^ {2}failures {2}none$/m);
  });

  test("no line wider than asked; control characters of a requirement are escaped; long lists cut", () => {
    const failures = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`req.${i}\x1b[2J`, 12 - i]));
    const text = renderLiveScreen(state({ failures }), 40);
    for (const line of text.split("\n")) assert.ok(line.length <= 40, line);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    assert.match(text, /^ {4}12 {2}req\.0\\x1b\[2J$/m);
    assert.match(text, /and 4 more requirement\(s\)$/m);
  });
});

describe("startLiveScreen", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setInterval"] }));
  afterEach(() => mock.timers.reset());

  test("off a terminal: a compact line each 10 s of the run, and the final screen once on stop()", () => {
    const out = new FakeStream(false);
    let elapsedMs = 0;
    const screen = startLiveScreen(() => state({ elapsedMs, started: elapsedMs / 100 }), out, 1000);
    for (let i = 0; i < 9; i++) {
      elapsedMs += 1000;
      mock.timers.tick(1000);
    }
    assert.deepEqual(out.writes, []);
    for (let i = 0; i < 16; i++) {
      elapsedMs += 1000;
      mock.timers.tick(1000);
    }
    assert.deepEqual(out.writes, [
      "load 00:00:10: 100 started, 4100 passed, 11 failed, 12/16 in flight, 50 flows/s (target 50)\n",
      "load 00:00:20: 200 started, 4100 passed, 11 failed, 12/16 in flight, 50 flows/s (target 50)\n",
    ]);
    screen.stop();
    assert.equal(out.writes.length, 3);
    assert.equal(out.writes[2], `${renderLiveScreen(state({ elapsedMs: 25_000, started: 250 }))}\n`);
    assert.ok(!out.writes.join("").includes("\x1b"), "no escape sequence");
    screen.stop();
    elapsedMs += 20_000;
    mock.timers.tick(20_000);
    assert.equal(out.writes.length, 3, "stopped: nothing more");
  });

  test("on a terminal: drawn at once, then redrawn in place, never wider than the terminal", () => {
    const out = new FakeStream(true, 60);
    let started = 1;
    const screen = startLiveScreen(() => state({ started }), out, 500);
    assert.equal(out.writes.length, 1);
    assert.ok(out.writes[0].startsWith("\r\x1b[0J"), "the first draw moves no cursor");
    const lines = out.writes[0].slice("\r\x1b[0J".length).split("\n");
    assert.equal(lines.pop(), "");
    for (const l of lines) assert.ok(l.length <= 59, l);
    started = 2;
    mock.timers.tick(500);
    assert.equal(out.writes.length, 2);
    assert.ok(out.writes[1].startsWith(`\x1b[${lines.length}A\r\x1b[0J`), "up to the first line, cleared");
    assert.match(out.writes[1], / 2 started /);
    started = 3;
    screen.stop();
    assert.equal(out.writes.length, 3);
    assert.ok(out.writes[2].startsWith(`\x1b[${lines.length}A\r\x1b[0J`));
    assert.match(out.writes[2], / 3 started /);
    mock.timers.tick(5000);
    assert.equal(out.writes.length, 3);
  });

  test("a probe that throws skips the draw", () => {
    const out = new FakeStream(false);
    const screen = startLiveScreen(() => {
      throw new Error("gone");
    }, out);
    mock.timers.tick(30_000);
    screen.stop();
    assert.deepEqual(out.writes, []);
  });
});

describe("startLiveScreen's timer", () => {
  test("does not keep the process alive", () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const screen = startLiveScreen(() => state(), new FakeStream(false), 1000);
    try {
      assert.equal(timers(), before);
    } finally {
      screen.stop();
    }
  });
});
