// What the browser page (client.ts, bundled with sip.js) exposes on `globalThis.ue` for Playwright
// to call. Shared by the page and BrowserUe (type-only: nothing of it reaches the bundle).

/** What RTCPeerConnection.getStats() says of the call's audio. */
export interface PageStats {
  /** RTCPeerConnection.connectionState ("new", "connecting", "connected", ...); "none" without a call. */
  connectionState: string;
  /** RTCPeerConnection.iceConnectionState; "none" without a call. */
  iceConnectionState: string;
  /** inbound-rtp (audio) packetsReceived; 0 when there is no inbound-rtp report yet. */
  packetsReceived: number;
  /** inbound-rtp (audio) audioLevel (0..1), when Chromium reports it. */
  audioLevel?: number;
  /** outbound-rtp (audio) packetsSent; 0 when there is no outbound-rtp report yet. */
  packetsSent: number;
}

/** An incoming INVITE as the page saw it. */
export interface PageIncomingCall {
  from: string;
  to: string;
  callId: string;
}

export interface PageApi {
  configure(uri: string, authorizationUsername: string, authorizationPassword: string, displayName: string, wsServer: string): Promise<void>;
  /** REGISTER (with Digest when challenged); resolves with the final status code. */
  register(): Promise<number>;
  /** REGISTER with Expires 0; resolves with the final status code. */
  unregister(): Promise<number>;
  /** INVITE with an audio-only offer; resolves with the final status code (200 when established). */
  call(target: string): Promise<number>;
  /** Resolves with the first incoming INVITE not yet answered (rejects after `ms`). */
  waitForIncoming(ms: number): Promise<PageIncomingCall>;
  /** Answers the incoming call (audio only); resolves when the session is established. */
  answer(): Promise<void>;
  /** BYE, CANCEL or reject, whichever the current call's state calls for. */
  hangup(): Promise<void>;
  /** The current call's session state ("Initial", "Establishing", "Established", "Terminating", "Terminated") or "none". */
  callState(): string;
  stats(): Promise<PageStats>;
  /** Stops the user agent (closes its WebSocket). */
  stop(): Promise<void>;
}
