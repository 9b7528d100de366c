// SMS codec (issue 16, IMS-MSG-002): the GSM 7-bit default alphabet (TS 23.038), TPDUs (TS 23.040)
// and the RP messages (TS 24.011) that SMS over IP carries in SIP MESSAGE bodies (TS 24.341).
// It imports nothing of the project (docs/architecture.md).
export * from "./gsm7.ts";
export * from "./tpdu.ts";
export * from "./rp.ts";
