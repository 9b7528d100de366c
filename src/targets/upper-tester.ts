// The upper tester: how the harness makes a UE under test act (ETSI test systems: the MMI or AT
// commands of the "upper tester"; TS 34.229's system simulator drives the UE the same way). The
// profile declares a command per action, with ${target} and ${text}; the effect is judged on the
// network, never from the command's own output. An undeclared action makes the test cases that need
// it not applicable; a command that cannot be delivered is the test bed's error, not the UE's fault.
import { spawn } from "node:child_process";
import { type Socket, connect } from "node:net";
import type { Deadline } from "../sip/deadline.ts";
import { AUTOMATIC_ACTION, type UpperTesterAction, type UpperTesterConfig } from "../profile/profile.ts";

export interface UpperTesterParams {
  /** A SIP URI: whom to call or send a message to. */
  readonly target?: string;
  readonly text?: string;
}

export interface UpperTester {
  /** For the report: "stdin of the process", "tcp 127.0.0.1:4444 (netstring)", "the operator (manual)". */
  readonly description: string;
  /** Why the action cannot be asked for (not declared), or undefined when it can. */
  lacks(action: UpperTesterAction): string | undefined;
  /** The UE does it by itself ("auto"): nothing is sent, the network waits for the effect. */
  automatic(action: UpperTesterAction): boolean;
  /** Delivers the action's command; resolves once it is delivered (the effect is observed on the network). */
  act(action: UpperTesterAction, params: UpperTesterParams, deadline: Deadline): Promise<void>;
  /** How long the UE may take to show the effect beyond the protocol's own timing (manual: the operator's time). */
  readonly effectMs: number;
  close(): Promise<void>;
}

/** A command that could not be delivered: the test bed's error (the verdict is error, never fail). */
export class UpperTesterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UpperTesterError";
  }
}

/** What the upper tester of a profile needs from the started UE: its standard input (kind stdin). */
export interface UpperTesterHost {
  readonly write?: (line: string) => void;
  /** Where the operator reads instructions (manual). */
  readonly tell?: (line: string) => void;
}

/** The profile's command with its placeholders filled in; `quote` escapes each value (shell). */
export function fillPlaceholders(template: string, params: UpperTesterParams, quote: (v: string) => string = (v) => v): string {
  return template.replace(/\$\{(target|text)\}/g, (_, name: "target" | "text") => {
    const v = params[name];
    if (v === undefined) throw new UpperTesterError(`the command ${JSON.stringify(template)} needs \${${name}}, which this action does not give`);
    return quote(v);
  });
}

/** POSIX shell single quotes: the value is one word, whatever it holds. */
export function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** A netstring (djb): "<length>:<bytes>," as baresip's ctrl_tcp frames its JSON commands. */
export function netstring(payload: string): string {
  return `${Buffer.byteLength(payload)}:${payload},`;
}

export function createUpperTester(config: UpperTesterConfig, host: UpperTesterHost = {}): UpperTester {
  switch (config.kind) {
    case "stdin":
      return new DeclaredUpperTester(config, "the standard input of the UE's process", (command) => {
        if (!host.write) return Promise.reject(new UpperTesterError("the upper tester writes to the UE's standard input, but the UE is not a running process of this harness"));
        host.write(`${command}\n`);
        return Promise.resolve();
      });
    case "tcp":
      return new TcpUpperTester(config);
    case "shell":
      return new DeclaredUpperTester(config, "a shell command per action", (command, deadline) => runShell(command, deadline), shellQuote);
    case "http":
      return new DeclaredUpperTester(config, `HTTP POST ${config.url ?? ""}`, (body, deadline) => post(config.url ?? "", body, deadline));
    case "manual": {
      const tell = host.tell ?? ((line: string) => process.stderr.write(`${line}\n`));
      return new DeclaredUpperTester(
        config,
        "the operator (manual, MMI)",
        (instruction) => {
          tell(`OPERATOR: ${instruction} (within ${Math.round(config.operatorTimeoutMs / 1000)} s)`);
          return Promise.resolve();
        },
        undefined,
        config.operatorTimeoutMs,
      );
    }
  }
}

/** An upper tester whose actions are the profile's commands, delivered by `deliver`. */
class DeclaredUpperTester implements UpperTester {
  constructor(
    protected readonly config: UpperTesterConfig,
    readonly description: string,
    private readonly deliver: (command: string, deadline: Deadline) => Promise<void>,
    private readonly quote?: (v: string) => string,
    readonly effectMs = 0,
  ) {}

  lacks(action: UpperTesterAction): string | undefined {
    return this.config.actions[action] === undefined ? `the profile's upper tester (${this.description}) declares no "${action}" action` : undefined;
  }

  automatic(action: UpperTesterAction): boolean {
    return this.config.actions[action]?.trim() === AUTOMATIC_ACTION;
  }

  async act(action: UpperTesterAction, params: UpperTesterParams, deadline: Deadline): Promise<void> {
    const template = this.config.actions[action];
    if (template === undefined) throw new UpperTesterError(this.lacks(action) ?? `no ${action} action`);
    if (this.automatic(action)) return;
    const command = fillPlaceholders(template, params, this.quote);
    try {
      await this.deliver(command, deadline);
    } catch (e) {
      if (e instanceof UpperTesterError) throw e;
      throw new UpperTesterError(`the upper tester could not deliver the ${action} action (${JSON.stringify(command)}) through ${this.description}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A control channel over TCP (baresip's ctrl_tcp, a device's test port): connected once, re-connected when lost. */
class TcpUpperTester extends DeclaredUpperTester {
  private socket: Socket | undefined;

  constructor(config: UpperTesterConfig) {
    super(config, `TCP ${config.host ?? ""}:${config.port ?? 0} (${config.framing ?? "line"})`, (command, deadline) => this.send(command, deadline));
  }

  private async send(command: string, deadline: Deadline): Promise<void> {
    const socket = this.socket && !this.socket.destroyed ? this.socket : await this.connect(deadline);
    const framed = this.config.framing === "netstring" ? netstring(command) : `${command}\n`;
    await new Promise<void>((resolve, reject) => socket.write(framed, (e) => (e ? reject(e) : resolve())));
  }

  private connect(deadline: Deadline): Promise<Socket> {
    const { host = "127.0.0.1", port = 0 } = this.config;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${Math.round(deadline.remaining())} ms`)), waitMs(deadline));
      socket.once("connect", () => {
        clearTimeout(timer);
        // What the UE answers on its control channel is not evidence: the effect is judged on the network
        socket.on("data", () => undefined);
        socket.on("error", () => socket.destroy());
        this.socket = socket;
        resolve(socket);
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  override close(): Promise<void> {
    this.socket?.destroy();
    this.socket = undefined;
    return Promise.resolve();
  }
}

/** A deadline's remaining time as a timer length (setTimeout takes at most 2^31-1 ms). */
function waitMs(deadline: Deadline): number {
  return Math.ceil(Math.min(2 ** 31 - 1, Math.max(1, deadline.remaining())));
}

/** Runs one command in `sh -c`; a non-zero exit or the deadline is an UpperTesterError quoting its output. */
function runShell(command: string, deadline: Deadline): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group: at the deadline the whole command is killed, not only the shell (dash forks each command)
    const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const keep = (b: Buffer): void => {
      output = (output + b.toString("utf8")).slice(-2000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone already
      }
    }, waitMs(deadline));
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${signal ? `killed by ${signal} at the end of ${deadline.budget}` : `exit status ${String(code)}`}${output.trim() ? `; output: ${output.trim()}` : ""}`));
    });
  });
}

async function post(url: string, body: string, deadline: Deadline): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": body.trimStart().startsWith("{") ? "application/json" : "text/plain" },
    signal: AbortSignal.timeout(waitMs(deadline)),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}: ${(await response.text()).slice(0, 500)}`);
}
