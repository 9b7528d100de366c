import { test } from "node:test";
import assert from "node:assert/strict";
import * as media from "../../src/media/index.ts";

test("index re-exports a working offer/answer API", () => {
  const offer = media.createOffer({ address: "192.0.2.1", port: 4000, sessionId: "7", codecs: [media.amrWb(97), media.PCMU] });
  const parsed = media.parseSdp(media.serializeSdp(offer));
  assert.ok(parsed.ok);
  const answer = media.createAnswer(parsed.sdp, { address: "192.0.2.2", port: 5000, sessionId: "8", codecs: [media.PCMU] });
  assert.ok(answer.ok);
  assert.equal(media.negotiatedCodec(parsed.sdp, answer.sdp)?.encodingName, "PCMU");
  assert.equal(media.preconditionsMet(media.reserveLocal(media.createPreconditionTable({ strength: { local: "mandatory", remote: "none" } }))), true);
});
