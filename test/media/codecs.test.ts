import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  PCMU,
  allocatePayloadType,
  amr,
  amrWb,
  codecAttributes,
  findFmtp,
  findRtpmap,
  formatRtpmap,
  isDynamicPayloadType,
  mediaCodecs,
  parseFmtp,
  parseFmtpParameters,
  parseRtpmap,
  sameCodec,
  telephoneEvent,
} from "../../src/media/codecs.ts";
import { parseSdp } from "../../src/media/sdp.ts";
import { VOLTE_OFFER } from "./volte-sdp.ts";

function volteMedia() {
  const r = parseSdp(VOLTE_OFFER);
  if (!r.ok) assert.fail(r.error.reason);
  return r.sdp.media[0];
}

describe("codec descriptions", () => {
  test("AMR-WB, AMR, PCMU and telephone-event attributes", () => {
    assert.deepEqual(codecAttributes(amrWb(97)), [
      { name: "rtpmap", value: "97 AMR-WB/16000/1" },
      { name: "fmtp", value: "97 mode-change-capability=2;max-red=0" },
    ]);
    assert.deepEqual(codecAttributes(amr(98, null)), [{ name: "rtpmap", value: "98 AMR/8000/1" }]);
    assert.deepEqual(codecAttributes(PCMU), [{ name: "rtpmap", value: "0 PCMU/8000" }]);
    assert.deepEqual(codecAttributes(telephoneEvent(100, 16000)), [
      { name: "rtpmap", value: "100 telephone-event/16000" },
      { name: "fmtp", value: "100 0-15" },
    ]);
  });

  test("parseRtpmap / formatRtpmap", () => {
    assert.deepEqual(parseRtpmap("116 AMR-WB/16000/1"), { payloadType: 116, encodingName: "AMR-WB", clockRate: 16000, channels: 1 });
    assert.deepEqual(parseRtpmap("101 telephone-event/8000"), { payloadType: 101, encodingName: "telephone-event", clockRate: 8000 });
    assert.equal(parseRtpmap("128 X/8000"), undefined);
    assert.equal(parseRtpmap("97 AMR-WB"), undefined);
    assert.equal(parseRtpmap("97  AMR-WB/16000"), undefined);
    assert.equal(formatRtpmap({ payloadType: 9, encodingName: "G722", clockRate: 8000 }), "9 G722/8000");
  });

  test("parseFmtp and its parameters", () => {
    assert.deepEqual(parseFmtp("107 octet-align=1;mode-change-capability=2;max-red=0"), {
      payloadType: 107,
      parameters: "octet-align=1;mode-change-capability=2;max-red=0",
    });
    assert.equal(parseFmtp("x 0-15"), undefined);
    assert.deepEqual(
      [...parseFmtpParameters("Octet-Align=1; mode-set=0,2,4;max-red=0")],
      [
        ["octet-align", "1"],
        ["mode-set", "0,2,4"],
        ["max-red", "0"],
      ],
    );
    assert.deepEqual([...parseFmtpParameters("0-15")], [["0-15", ""]]);
  });

  test("findRtpmap / findFmtp by payload type", () => {
    const m = volteMedia();
    assert.deepEqual(findRtpmap(m, 118), { payloadType: 118, encodingName: "AMR", clockRate: 8000, channels: 1 });
    assert.deepEqual(findFmtp(m, 107), { payloadType: 107, parameters: "octet-align=1;mode-change-capability=2;max-red=0" });
    assert.deepEqual(findFmtp(m, 110), { payloadType: 110, parameters: "0-15" });
    assert.equal(findRtpmap(m, 0), undefined);
    assert.equal(findFmtp(m, 12), undefined);
  });

  test("mediaCodecs resolves rtpmap and the static table, in m= order", () => {
    const m = volteMedia();
    assert.deepEqual(
      mediaCodecs(m).map((c) => `${c.payloadType} ${c.encodingName}/${c.clockRate} ${c.fmtp ?? ""}`),
      [
        "116 AMR-WB/16000 mode-change-capability=2;max-red=0",
        "107 AMR-WB/16000 octet-align=1;mode-change-capability=2;max-red=0",
        "118 AMR/8000 mode-change-capability=2;max-red=0",
        "96 AMR/8000 octet-align=1;mode-change-capability=2;max-red=0",
        "111 telephone-event/16000 0-15",
        "110 telephone-event/8000 0-15",
      ],
    );
    const legacy = { media: "audio", port: 4000, proto: "RTP/AVP", formats: ["8", "0", "99"], bandwidths: [], attributes: [] };
    // 99 has no rtpmap and is not static: skipped.
    assert.deepEqual(mediaCodecs(legacy), [
      { payloadType: 8, encodingName: "PCMA", clockRate: 8000 },
      { payloadType: 0, encodingName: "PCMU", clockRate: 8000 },
    ]);
  });

  test("sameCodec compares name, rate, channels and the AMR payload format", () => {
    assert.equal(sameCodec(amrWb(97), amrWb(116, "mode-change-capability=2")), true);
    assert.equal(sameCodec(amrWb(97), { payloadType: 104, encodingName: "amr-wb", clockRate: 16000 }), true);
    // RFC 4867: octet-aligned and bandwidth-efficient are different payload formats.
    assert.equal(sameCodec(amrWb(97), amrWb(97, "octet-align=1")), false);
    assert.equal(sameCodec(amrWb(97, "octet-align=0"), amrWb(98, "max-red=0")), true);
    assert.equal(sameCodec(amrWb(97), amr(97)), false);
    assert.equal(sameCodec(PCMU, { payloadType: 0, encodingName: "PCMU", clockRate: 8000, channels: 2 }), false);
    assert.equal(sameCodec(telephoneEvent(101, 8000), telephoneEvent(100, 16000)), false);
  });

  test("dynamic payload types", () => {
    assert.equal(isDynamicPayloadType(96), true);
    assert.equal(isDynamicPayloadType(127), true);
    assert.equal(isDynamicPayloadType(95), false);
    assert.equal(allocatePayloadType([96, 97, 99]), 98);
    assert.equal(allocatePayloadType(Array.from({ length: 32 }, (_, i) => 96 + i)), undefined);
  });
});
