// A simulated UE that is a real browser: sip.js 0.21.2 in Debian's Chromium, driven by
// playwright-core. Each BrowserUe has its own headless Chromium (one context, one page), its own
// page server and its own WebSocket relay (ws-relay.ts), which records the browser's SIP messages
// into the test case's trace. close() ends all three and leaves no Chromium process behind.
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import type { TraceSink } from "../sip/transport/trace.ts";
import type { PageApi, PageIncomingCall, PageStats } from "./page/api.ts";
import { servePage } from "./page-server.ts";
import type { PageServer } from "./page-server.ts";
import { WsRelay } from "./ws-relay.ts";

/** Debian's Chromium (package chromium); the project never downloads a browser. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export interface BrowserUeOptions {
  /** The UE's name in logs and errors. */
  name: string;
  /** Public identity, the AOR the UE registers: sip:user@domain. */
  impu: string;
  /** Private identity: the Digest username. */
  impi: string;
  password: string;
  displayName?: string;
  /** The SIP server's WebSocket URL: ws://host:port or wss://host:port. */
  server: string;
  /** For a wss server with a self-signed certificate: base64 SHA-256 of its SPKI (as Chromium's --ignore-certificate-errors-spki-list takes it). */
  trustSpkiSha256?: string;
  /** Where the browser's SIP messages (as the relay forwards them) are recorded. */
  trace?: TraceSink;
  /** Default /usr/bin/chromium. */
  executablePath?: string;
}

/** Each method's wait when none is given: 64*T1 with T1 = 500 ms. */
const DEFAULT_WAIT = 32000;

/** The Chromium flags of a browser UE: headless, fake microphone granted without a prompt, no background traffic. */
export function chromiumArgs(spkiList: readonly string[]): string[] {
  const args = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    // Host candidates as IP addresses rather than mDNS .local names the far end cannot resolve
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ];
  // Chromium refuses to start its sandbox as root
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  if (spkiList.length > 0) args.push(`--ignore-certificate-errors-spki-list=${spkiList.join(",")}`);
  return args;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class BrowserUe {
  private closed = false;

  private constructor(
    readonly options: BrowserUeOptions,
    private readonly log: string[],
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly pageServer: PageServer,
    private readonly relay: WsRelay,
  ) {}

  get name(): string {
    return this.options.name;
  }

  /** What the page's sip.js connects to (the relay): ws://127.0.0.1:port or wss://127.0.0.1:port. */
  get relayUrl(): string {
    return this.relay.url;
  }

  /** Starts the relay, the page server and Chromium, opens the page and configures its user agent (its WebSocket is connected when this resolves). */
  static async start(options: BrowserUeOptions): Promise<BrowserUe> {
    const lines: string[] = [];
    const note = (line: string): void => {
      lines.push(`${new Date().toISOString()} ${line}`);
    };
    const relay = await WsRelay.start({
      server: options.server,
      ...(options.trustSpkiSha256 === undefined ? {} : { trustSpkiSha256: options.trustSpkiSha256 }),
      ...(options.trace === undefined ? {} : { trace: options.trace }),
      log: (line) => note(`relay: ${line.replace(/^relay: /, "")}`),
    });
    let pageServer: PageServer | undefined;
    let browser: Browser | undefined;
    try {
      pageServer = await servePage();
      const spki = [relay.spkiSha256, options.trustSpkiSha256].filter((s): s is string => s !== undefined);
      // The harness owns SIGINT, SIGTERM and SIGHUP (src/cli): Playwright must not exit the process on them; the After hook closes the browser, and Playwright kills it at exit
      browser = await chromium.launch({
        executablePath: options.executablePath ?? DEFAULT_CHROMIUM,
        headless: true,
        args: chromiumArgs(spki),
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      const context = await browser.newContext({ permissions: ["microphone"] });
      const page = await context.newPage();
      const ue = new BrowserUe(options, lines, browser, page, pageServer, relay);
      page.on("console", (message) => note(`console.${message.type()}: ${message.text()}`));
      page.on("pageerror", (error) => note(`pageerror: ${error.message}`));
      await page.goto(pageServer.url);
      await page.waitForFunction(() => "ue" in globalThis, undefined, { timeout: 10000 });
      await ue.invoke("configure", [options.impu, options.impi, options.password, options.displayName ?? options.name, relay.url], 10000);
      return ue;
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await pageServer?.close();
      await relay.close();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`browser UE ${options.name} could not start against ${options.server}: ${message}\n${lines.slice(-10).join("\n")}`, { cause: error });
    }
  }

  private invoke<K extends keyof PageApi>(method: K, args: Parameters<PageApi[K]>, ms: number): Promise<Awaited<ReturnType<PageApi[K]>>> {
    if (this.closed) return Promise.reject(new Error(`browser UE ${this.name} is closed`));
    const evaluation = this.page.evaluate(([m, a]) => (globalThis as unknown as { ue: Record<string, (...x: unknown[]) => unknown> }).ue[m](...a), [method, args] as [string, unknown[]]) as Promise<
      Awaited<ReturnType<PageApi[K]>>
    >;
    return withTimeout(evaluation, ms, `browser UE ${this.name}: ${method}()`);
  }

  /** REGISTER (answering a Digest challenge); resolves with the final status code. */
  register(ms = DEFAULT_WAIT): Promise<number> {
    return this.invoke("register", [], ms);
  }

  /** REGISTER with Expires 0; resolves with the final status code. */
  unregister(ms = DEFAULT_WAIT): Promise<number> {
    return this.invoke("unregister", [], ms);
  }

  /** INVITE `target` (a SIP URI) with an audio-only WebRTC offer (Chromium's fake microphone); resolves with the final status code. */
  call(target: string, ms = DEFAULT_WAIT): Promise<number> {
    return this.invoke("call", [target], ms);
  }

  /** Waits for an incoming INVITE; resolves with its From, To and Call-ID. */
  waitForIncomingCall(ms = DEFAULT_WAIT): Promise<PageIncomingCall> {
    return this.invoke("waitForIncoming", [ms], ms + 1000);
  }

  /** Answers the incoming call (200 with an audio-only SDP answer). */
  answer(ms = DEFAULT_WAIT): Promise<void> {
    return this.invoke("answer", [], ms);
  }

  /** BYE (established), CANCEL (calling) or a rejection (ringing). */
  hangup(ms = DEFAULT_WAIT): Promise<void> {
    return this.invoke("hangup", [], ms);
  }

  /** The current call's sip.js SessionState, or "none". */
  callState(): Promise<string> {
    return this.invoke("callState", [], 5000);
  }

  /** RTCPeerConnection.getStats() of the current call: inbound-rtp packetsReceived and audioLevel, the connection state. */
  stats(): Promise<PageStats> {
    return this.invoke("stats", [], 5000);
  }

  /** Every console message and page error of the page, and the relay's connection events, each with its time. */
  consoleLog(): string[] {
    return [...this.log];
  }

  screenshot(): Promise<Buffer> {
    return this.page.screenshot({ fullPage: true });
  }

  /** Stops the user agent, closes Chromium (no process is left), the page server and the relay. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.invoke("stop", [], 2000).catch(() => undefined);
    this.closed = true;
    await this.browser.close().catch(() => undefined);
    await this.pageServer.close();
    await this.relay.close();
  }
}
