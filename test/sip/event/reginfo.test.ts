import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Reginfo, buildReginfo, parseReginfo } from "../../../src/sip/event/reginfo.ts";

const FULL: Reginfo = {
  version: 0,
  state: "full",
  registrations: [
    {
      aor: "sip:alice@ims.test",
      id: "reg-1",
      state: "active",
      contacts: [
        { id: "c-1", state: "active", event: "registered", uri: "sip:alice@192.0.2.10:5060", expires: 600000 },
        { id: "c-2", state: "active", event: "created", uri: "sip:alice@[2001:db8::10]:5062;transport=tcp", expires: 3600 },
      ],
    },
    {
      aor: "tel:+15551234567",
      id: "reg-2",
      state: "active",
      contacts: [{ id: "c-3", state: "active", event: "registered", uri: "sip:alice@192.0.2.10:5060" }],
    },
  ],
};

describe("buildReginfo / parseReginfo (RFC 3680 5)", () => {
  test("a full document with several registrations and contacts survives the round trip", async () => {
    const xml = buildReginfo(FULL);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.match(xml, /<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">/);
    assert.match(xml, /<contact id="c-1" state="active" event="registered" expires="600000">/);
    assert.deepEqual(await parseReginfo(xml), FULL);
  });

  test("a partial document: a contact without expires has no expires, terminated states are kept", async () => {
    const partial: Reginfo = {
      version: 7,
      state: "partial",
      registrations: [
        {
          aor: "sip:alice@ims.test",
          id: "reg-1",
          state: "terminated",
          contacts: [{ id: "c-1", state: "terminated", event: "unregistered", uri: "sip:alice@192.0.2.10:5060", expires: 0 }],
        },
      ],
    };
    const parsed = await parseReginfo(buildReginfo(partial));
    assert.deepEqual(parsed, partial);
    assert.equal(parsed.registrations[0].contacts[0].expires, 0);
    const noExpires = await parseReginfo(buildReginfo({ ...FULL, registrations: [FULL.registrations[1]] }));
    assert.equal("expires" in noExpires.registrations[0].contacts[0], false);
  });

  test("characters that need escaping in XML come back as they were", async () => {
    const info: Reginfo = {
      version: 1,
      state: "full",
      registrations: [{ aor: "sip:a&b@ims.test", id: "r<1>", state: "active", contacts: [{ id: "c", state: "active", event: "registered", uri: 'sip:x@h;p="q"&r' }] }],
    };
    const xml = buildReginfo(info);
    assert.match(xml, /aor="sip:a&amp;b@ims.test"/);
    assert.deepEqual(await parseReginfo(xml), info);
  });

  test("a document with a namespace prefix (<r:reginfo xmlns:r=...>) is read like the default namespace", async () => {
    const xml = [
      '<?xml version="1.0"?>',
      '<r:reginfo xmlns:r="urn:ietf:params:xml:ns:reginfo" version="3" state="partial">',
      '  <r:registration aor="sip:bob@ims.test" id="a7" state="active">',
      '    <r:contact id="76" state="active" event="refreshed" expires="1800">',
      "      <r:uri> sip:bob@198.51.100.3:5090 </r:uri>",
      "      <r:display-name>Bob</r:display-name>",
      "    </r:contact>",
      '    <r:contact id="77" state="terminated" event="expired"><r:uri>sip:bob@198.51.100.4</r:uri></r:contact>',
      "  </r:registration>",
      "</r:reginfo>",
    ].join("\n");
    assert.deepEqual(await parseReginfo(xml), {
      version: 3,
      state: "partial",
      registrations: [
        {
          aor: "sip:bob@ims.test",
          id: "a7",
          state: "active",
          contacts: [
            { id: "76", state: "active", event: "refreshed", uri: "sip:bob@198.51.100.3:5090", expires: 1800 },
            { id: "77", state: "terminated", event: "expired", uri: "sip:bob@198.51.100.4" },
          ],
        },
      ],
    });
  });

  test("a registration without contacts and a root without attributes parse to empty lists", async () => {
    assert.deepEqual(await parseReginfo('<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="2" state="full"><registration aor="sip:x@y" id="1" state="init"/></reginfo>'), {
      version: 2,
      state: "full",
      registrations: [{ aor: "sip:x@y", id: "1", state: "init", contacts: [] }],
    });
    assert.deepEqual(await parseReginfo("<reginfo/>"), { version: 0, state: "", registrations: [] });
  });

  test("malformed XML rejects with a message naming the problem and the clause", async () => {
    await assert.rejects(parseReginfo('<reginfo version="0" state="full"><registration></reginfo>'), (e: Error) => {
      assert.match(e.message, /^the reginfo body is not well-formed XML: Unexpected close tag/);
      assert.match(e.message, /\(RFC 3680 5\.3\)$/);
      assert.doesNotMatch(e.message, /\n/);
      assert.ok(e.cause instanceof Error);
      return true;
    });
    await assert.rejects(parseReginfo("registered!"), /not well-formed XML: Non-whitespace before first tag/);
    await assert.rejects(parseReginfo(""), /the reginfo body is empty/);
  });

  test("another root element is not a reginfo document", async () => {
    await assert.rejects(parseReginfo('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>'), /not a reginfo document: the root element is <presence> \(RFC 3680 5\.3\)/);
  });
});
