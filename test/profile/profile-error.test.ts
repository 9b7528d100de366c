import assert from "node:assert/strict";
import { test } from "node:test";
import { ProfileError, formatProblem } from "../../src/profile/profile-error.ts";

test("one line per problem: file:line: field: message", () => {
  assert.equal(
    formatProblem({ file: "profiles/x.yaml", line: 12, field: "ixit.transports[1]", message: 'expected one of udp, tcp, tls, ws, wss; found "sctp"' }),
    'profiles/x.yaml:12: ixit.transports[1]: expected one of udp, tcp, tls, ws, wss; found "sctp"',
  );
  assert.equal(formatProblem({ file: "p.yaml", field: "(profile)", message: "m" }), "p.yaml: (profile): m");
});

test("problems are kept in document order, those without a line last", () => {
  const e = new ProfileError([
    { file: "p.yaml", field: "c", message: "no line" },
    { file: "p.yaml", line: 9, field: "b", message: "second" },
    { file: "p.yaml", line: 3, field: "a", message: "first" },
    { file: "p.yaml", line: 9, field: "b2", message: "third" },
  ]);
  assert.equal(e.format(), "p.yaml:3: a: first\np.yaml:9: b: second\np.yaml:9: b2: third\np.yaml: c: no line");
  assert.equal(e.message, `invalid profile p.yaml (4 problems):\n${e.format()}`);
  assert.equal(e.name, "ProfileError");
});

test("the cause is kept", () => {
  const cause = new Error("disk");
  assert.equal(new ProfileError([{ file: "p.yaml", field: "(profile)", message: "m" }], { cause }).cause, cause);
});
