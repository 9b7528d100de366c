import { test } from "node:test";
import assert from "node:assert/strict";
import * as media from "../../../src/media/index.ts";

test("src/media/index.ts exports the RTP layer beside SDP offer/answer: two streams carry a tone and a digit", async () => {
  const a = await media.MediaStream.open({
    host: "127.0.0.1",
    payloadType: media.PCMU.payloadType,
    clockRate: media.PCMU.clockRate,
    source: media.pcmuTone({ frequency: 1004, levelDbm0: -13 }),
    telephoneEvent: { payloadType: 101 },
  });
  const b = await media.MediaStream.open({ host: "127.0.0.1", payloadType: 0, clockRate: 8000, direction: "recvonly", telephoneEvent: { payloadType: 101 } });
  try {
    a.setRemote({ host: "127.0.0.1", port: b.local.rtpPort });
    const deadline = { at: media.mediaNow() + 3000, budget: "index test" };
    await b.waitForTone({ frequency: 1004, levelDbm0: -13 }, deadline);
    await a.sendDigits("5");
    const [digit] = await b.waitForDigits("5", deadline);
    assert.equal(digit.durationMs, 100);
    assert.equal(typeof media.decodeRtp, "function");
    assert.equal(typeof media.packAmrWb, "function");
    assert.equal(typeof media.createOffer, "function", "the SDP exports are still there");
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
