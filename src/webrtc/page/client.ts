// The browser page's SIP user agent: sip.js 0.21.2 as published (its WebSocket transport,
// subprotocol "sip", and its WebRTC session description handler), bundled for the browser by
// bundle.ts and driven by BrowserUe through `globalThis.ue` (the PageApi of api.ts).
//
// The project compiles without the DOM library, so the few browser objects used here are typed
// by the small interfaces below rather than by lib.dom.d.ts.
import { Invitation, Inviter, Registerer, SessionState, UserAgent } from "sip.js";
import type { Session } from "sip.js";
import type { PageApi, PageIncomingCall, PageStats } from "./api.ts";

interface StatsReport {
  forEach(callback: (value: Record<string, unknown>) => void): void;
}
interface PeerConnectionLike {
  connectionState: string;
  iceConnectionState: string;
  getStats(): Promise<StatsReport>;
  getReceivers(): { track: unknown }[];
}
interface AudioElementLike {
  srcObject: unknown;
  autoplay: boolean;
  play(): Promise<void>;
}
interface BrowserGlobals {
  ue: PageApi;
  MediaStream: new (tracks: unknown[]) => unknown;
  Audio: new () => AudioElementLike;
}

const browser = globalThis as unknown as BrowserGlobals;
const AUDIO_ONLY = { constraints: { audio: true, video: false } };

let userAgent: UserAgent | undefined;
let registerer: Registerer | undefined;
let session: Session | undefined;
let player: AudioElementLike | undefined;
const incoming: Invitation[] = [];
const incomingWaiters: ((invitation: Invitation) => void)[] = [];

function agent(): UserAgent {
  if (!userAgent) throw new Error("configure() first");
  return userAgent;
}

function peerConnection(): PeerConnectionLike | undefined {
  const handler = session?.sessionDescriptionHandler as unknown as { peerConnection?: PeerConnectionLike } | undefined;
  return handler?.peerConnection;
}

/** Plays the remote audio, so that Chromium's audio pipeline (and inbound-rtp audioLevel) runs. */
function playRemoteAudio(): void {
  const pc = peerConnection();
  if (!pc) return;
  const tracks = pc.getReceivers().map((r) => r.track);
  player ??= new browser.Audio();
  player.autoplay = true;
  player.srcObject = new browser.MediaStream(tracks);
  player.play().catch((e: unknown) => console.warn(`remote audio: ${String(e)}`));
}

function track(s: Session): void {
  session = s;
  s.stateChange.addListener((state) => {
    console.log(`session ${s.id}: ${state}`);
    if (state === SessionState.Established) playRemoteAudio();
  });
}

function statusOf(response: { message: { statusCode?: number } }): number {
  return response.message.statusCode ?? 0;
}

const api: PageApi = {
  async configure(uri, authorizationUsername, authorizationPassword, displayName, wsServer) {
    const parsed = UserAgent.makeURI(uri);
    if (!parsed) throw new Error(`not a SIP URI: ${uri}`);
    userAgent = new UserAgent({
      uri: parsed,
      authorizationUsername,
      authorizationPassword,
      displayName,
      transportOptions: { server: wsServer },
      logLevel: "log",
      logConfiguration: false,
      sessionDescriptionHandlerFactoryOptions: {
        // No STUN: the call stays on the host's own addresses (sip.js's default asks Google's server)
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      delegate: {
        onInvite(invitation) {
          console.log(`incoming INVITE from ${invitation.remoteIdentity.uri.toString()}`);
          const waiter = incomingWaiters.shift();
          if (waiter) waiter(invitation);
          else incoming.push(invitation);
        },
        onDisconnect(error) {
          console.log(`transport disconnected${error ? `: ${error.message}` : ""}`);
        },
      },
    });
    await userAgent.start();
    console.log(`user agent ${uri} connected to ${wsServer}`);
  },

  register() {
    const ua = agent();
    registerer ??= new Registerer(ua);
    const r = registerer;
    return new Promise<number>((resolve, reject) => {
      r.register({
        requestDelegate: {
          onAccept: (response) => resolve(statusOf(response)),
          onReject: (response) => resolve(statusOf(response)),
        },
      }).catch(reject);
    });
  },

  unregister() {
    const r = registerer;
    if (!r) return Promise.reject(new Error("register() first"));
    return new Promise<number>((resolve, reject) => {
      r.unregister({
        requestDelegate: {
          onAccept: (response) => resolve(statusOf(response)),
          onReject: (response) => resolve(statusOf(response)),
        },
      }).catch(reject);
    });
  },

  call(target) {
    const ua = agent();
    const uri = UserAgent.makeURI(target);
    if (!uri) return Promise.reject(new Error(`not a SIP URI: ${target}`));
    const inviter = new Inviter(ua, uri, { sessionDescriptionHandlerOptions: AUDIO_ONLY });
    track(inviter);
    return new Promise<number>((resolve, reject) => {
      inviter
        .invite({
          requestDelegate: {
            onAccept: (response) => resolve(statusOf(response)),
            onReject: (response) => resolve(statusOf(response)),
          },
        })
        .catch(reject);
    });
  },

  waitForIncoming(ms) {
    const describe = (i: Invitation): PageIncomingCall => ({ from: i.remoteIdentity.uri.toString(), to: i.localIdentity.uri.toString(), callId: i.request.callId });
    const ready = incoming.shift();
    if (ready) {
      track(ready);
      return Promise.resolve(describe(ready));
    }
    return new Promise<PageIncomingCall>((resolve, reject) => {
      const waiter = (invitation: Invitation): void => {
        clearTimeout(timer);
        track(invitation);
        resolve(describe(invitation));
      };
      const timer = setTimeout(() => {
        const i = incomingWaiters.indexOf(waiter);
        if (i >= 0) incomingWaiters.splice(i, 1);
        reject(new Error(`no incoming INVITE within ${ms} ms`));
      }, ms);
      incomingWaiters.push(waiter);
    });
  },

  async answer() {
    const s = session;
    if (!(s instanceof Invitation)) throw new Error("no incoming call to answer (waitForIncoming() first)");
    await s.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
  },

  async hangup() {
    const s = session;
    if (!s) throw new Error("no call to hang up");
    if (s.state === SessionState.Established) await s.bye();
    else if (s instanceof Inviter && s.state === SessionState.Establishing) await s.cancel();
    else if (s instanceof Invitation && (s.state === SessionState.Initial || s.state === SessionState.Establishing)) await s.reject();
    else throw new Error(`the call is ${s.state}: nothing to hang up`);
  },

  callState() {
    return session?.state ?? "none";
  },

  async stats() {
    const pc = peerConnection();
    const result: PageStats = { connectionState: pc?.connectionState ?? "none", iceConnectionState: pc?.iceConnectionState ?? "none", packetsReceived: 0, packetsSent: 0 };
    if (!pc) return result;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s["kind"] !== "audio" && s["mediaType"] !== "audio") return;
      if (s["type"] === "inbound-rtp") {
        result.packetsReceived += typeof s["packetsReceived"] === "number" ? s["packetsReceived"] : 0;
        if (typeof s["audioLevel"] === "number") result.audioLevel = s["audioLevel"];
      } else if (s["type"] === "outbound-rtp") {
        result.packetsSent += typeof s["packetsSent"] === "number" ? s["packetsSent"] : 0;
      }
    });
    return result;
  },

  async stop() {
    await userAgent?.stop();
  },
};

browser.ue = api;
console.log("sip.js page ready");
