import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  applyPeerStatus,
  confirmationDue,
  createPreconditionTable,
  formatPreconditionAttribute,
  parsePreconditionAttribute,
  preconditionsFailed,
  preconditionsMet,
  releaseLocal,
  reserveLocal,
  strongerStrength,
  tableToAttributes,
} from "../../src/media/preconditions.ts";
import type { Attribute } from "../../src/media/sdp.ts";

const attr = (line: string): Attribute => {
  const body = line.slice(2);
  const colon = body.indexOf(":");
  return { name: body.slice(0, colon), value: body.slice(colon + 1) };
};
const lines = (attrs: Attribute[]): string[] => attrs.map((a) => `a=${a.name}:${a.value}`);

describe("precondition attributes (RFC 3312 5.1)", () => {
  test("parse and format the five IMS lines", () => {
    const cases = ["a=curr:qos local sendrecv", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv", "a=conf:qos remote sendrecv"];
    assert.deepEqual(parsePreconditionAttribute(attr(cases[0])), {
      kind: "curr",
      preconditionType: "qos",
      statusType: "local",
      direction: "sendrecv",
    });
    assert.deepEqual(parsePreconditionAttribute(attr(cases[2])), {
      kind: "des",
      preconditionType: "qos",
      strength: "mandatory",
      statusType: "local",
      direction: "sendrecv",
    });
    assert.deepEqual(parsePreconditionAttribute(attr(cases[4])), {
      kind: "conf",
      preconditionType: "qos",
      statusType: "remote",
      direction: "sendrecv",
    });
    for (const c of cases) {
      const p = parsePreconditionAttribute(attr(c));
      assert.ok(p, c);
      assert.deepEqual(lines([formatPreconditionAttribute(p)]), [c]);
    }
  });

  test("malformed or unrelated attributes yield undefined", () => {
    for (const c of [
      "a=curr:qos local",
      "a=curr:qos mandatory local sendrecv",
      "a=des:qos local sendrecv",
      "a=des:qos required local sendrecv",
      "a=conf:qos middle sendrecv",
      "a=curr:qos local both",
      "a=rtpmap:0 PCMU/8000",
    ]) {
      assert.equal(parsePreconditionAttribute(attr(c)), undefined, c);
    }
    assert.equal(parsePreconditionAttribute({ name: "curr" }), undefined);
  });
});

describe("segmented status table (RFC 3312 5, 6)", () => {
  test("an initial table describes itself as the classic IMS offer lines", () => {
    const t = createPreconditionTable();
    assert.deepEqual(lines(tableToAttributes(t)), ["a=curr:qos local none", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv"]);
    assert.equal(preconditionsMet(t), false);
  });

  test("per-segment and per-direction strengths", () => {
    const t = createPreconditionTable({ strength: { local: "mandatory", remote: "optional" }, localCurrent: "send" });
    t.remote.recv.desired = "none";
    assert.deepEqual(lines(tableToAttributes(t)), [
      "a=curr:qos local send",
      "a=curr:qos remote none",
      "a=des:qos mandatory local sendrecv",
      "a=des:qos optional remote send",
      "a=des:qos none remote recv",
    ]);
  });

  test("reserveLocal / releaseLocal update the local current status only", () => {
    const t0 = createPreconditionTable();
    const t1 = reserveLocal(t0, "send");
    assert.equal(t0.local.send.current, false, "input is not mutated");
    assert.equal(t1.local.send.current, true);
    assert.equal(t1.local.recv.current, false);
    const t2 = reserveLocal(t1, "recv");
    assert.deepEqual(lines(tableToAttributes(t2)).slice(0, 2), ["a=curr:qos local sendrecv", "a=curr:qos remote none"]);
    assert.equal(releaseLocal(t2, "send").local.send.current, false);
  });

  test("preconditionsMet: every mandatory row current; optional rows do not block", () => {
    const mixed = createPreconditionTable({ strength: { local: "mandatory", remote: "optional" } });
    assert.equal(preconditionsMet(mixed), false);
    assert.equal(preconditionsMet(reserveLocal(mixed, "send")), false);
    assert.equal(preconditionsMet(reserveLocal(mixed)), true);
    const both = reserveLocal(createPreconditionTable());
    assert.equal(preconditionsMet(both), false);
    both.remote.send.current = true;
    assert.equal(preconditionsMet(both), false);
    both.remote.recv.current = true;
    assert.equal(preconditionsMet(both), true);
    both.remote.recv.desired = "failure";
    assert.equal(preconditionsMet(both), false);
    assert.equal(preconditionsFailed(both), true);
  });

  test("received lines swap local/remote and send/recv", () => {
    const t = applyPeerStatus(createPreconditionTable({ strength: "none" }), [
      attr("a=curr:qos local send"),
      attr("a=curr:qos remote sendrecv"),
      attr("a=des:qos mandatory local send"),
      attr("a=des:qos optional local recv"),
      attr("a=des:qos mandatory remote recv"),
      attr("a=conf:qos remote recv"),
      attr("a=rtpmap:0 PCMU/8000"),
    ]);
    // The peer sends over its access: our remote segment, receive direction.
    assert.deepEqual(t.remote.recv, { current: true, desired: "mandatory", confirm: false });
    assert.deepEqual(t.remote.send, { current: false, desired: "optional", confirm: false });
    // The peer's idea of our segment's current status is not taken.
    assert.deepEqual(t.local.send, { current: false, desired: "mandatory", confirm: true });
    assert.deepEqual(t.local.recv, { current: false, desired: "none", confirm: false });
  });

  test("desired strengths are only upgraded; other precondition types are ignored", () => {
    const t = applyPeerStatus(createPreconditionTable({ strength: "mandatory" }), [attr("a=des:qos optional local sendrecv"), attr("a=des:other mandatory remote sendrecv")]);
    assert.equal(t.remote.send.desired, "mandatory");
    assert.equal(t.remote.recv.desired, "mandatory");
    assert.equal(strongerStrength("optional", "mandatory"), "mandatory");
    assert.equal(strongerStrength("unknown", "none"), "none");
    assert.equal(strongerStrength("failure", "mandatory"), "failure");
  });

  test("confirmationDue once the requested local segment is ready", () => {
    let t = applyPeerStatus(createPreconditionTable(), [attr("a=conf:qos remote sendrecv")]);
    assert.equal(confirmationDue(t), false);
    t = reserveLocal(t);
    assert.equal(confirmationDue(t), true);
    assert.equal(confirmationDue(reserveLocal(createPreconditionTable())), false);
  });
});
