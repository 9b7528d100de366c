// A simulated UE that is a real browser (sip.js in Chromium); see browser-ue.ts.
export { BrowserUe, chromiumArgs, DEFAULT_CHROMIUM } from "./browser-ue.ts";
export type { BrowserUeOptions } from "./browser-ue.ts";
export type { PageIncomingCall, PageStats } from "./page/api.ts";
export { WsRelay } from "./ws-relay.ts";
export type { WsRelayOptions } from "./ws-relay.ts";
export { pageBundle, servePage } from "./page-server.ts";
export type { PageServer } from "./page-server.ts";
