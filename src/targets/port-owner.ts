// Who holds a local port (issue 10, gap 2): a bind test says whether a port is busy; Linux's /proc
// names the owner: /proc/net/{udp,udp6,tcp,tcp6} give the socket inode of a local port (TCP: in
// state 0A, LISTEN), /proc/<pid>/fd/* links "socket:[inode]" name the processes holding it,
// /proc/<pid>/stat and comm their process group and name. Every reader returns undefined where /proc
// tells nothing (another system, another user's process).
import { createSocket } from "node:dgram";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { createServer, isIP, isIPv6 } from "node:net";
import { endianness } from "node:os";

export type SocketProtocol = "udp" | "tcp";

/** A socket bound to a local port, as /proc/net lists it. */
export interface PortSocket {
  readonly protocol: SocketProtocol;
  /** Local address: dotted IPv4 (also for IPv4-mapped IPv6), or the 8 groups of an IPv6 address. */
  readonly address: string;
  readonly port: number;
  readonly inode: number;
  /** Owner's user id. */
  readonly uid: number;
}

export interface ProcessInfo {
  readonly pid: number;
  /** /proc/<pid>/comm: the program's name, at most 15 characters. */
  readonly name: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
}

/** A process holding a socket. */
export interface PortOwner extends ProcessInfo {
  readonly inode: number;
}

const LISTEN = "0A";

/**
 * Whether `port` on `host` can be bound (UDP without SO_REUSEADDR, so that a socket that set it, as
 * Kamailio does, still counts): true when free, false when in use (EADDRINUSE), undefined when the
 * test says nothing (EACCES, EADDRNOTAVAIL, an unknown host).
 */
export function portFree(protocol: SocketProtocol, host: string, port: number): Promise<boolean | undefined> {
  const verdict = (e: NodeJS.ErrnoException): boolean | undefined => (e.code === "EADDRINUSE" ? false : undefined);
  return new Promise((done) => {
    if (protocol === "udp") {
      const s = createSocket({ type: isIPv6(host) ? "udp6" : "udp4", reuseAddr: false });
      s.once("error", (e) => {
        s.close();
        done(verdict(e));
      });
      s.bind({ port, address: host, exclusive: true }, () => s.close(() => done(true)));
    } else {
      const s = createServer();
      s.once("error", (e) => done(verdict(e)));
      s.listen({ port, host, exclusive: true }, () => s.close(() => done(true)));
    }
  });
}

/** The sockets bound to `port` (TCP: listening) that would take packets for `host`; undefined without /proc/net. */
export function socketsOnPort(protocol: SocketProtocol, port: number, host?: string): PortSocket[] | undefined {
  let readable = false;
  const found: PortSocket[] = [];
  for (const file of [protocol, `${protocol}6`]) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${file}`, "utf8");
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [addrHex, portHex] = f[1].split(":");
      if (addrHex === undefined || portHex === undefined || parseInt(portHex, 16) !== port) continue;
      if (protocol === "tcp" && f[3] !== LISTEN) continue;
      const address = decodeAddress(addrHex);
      if (host !== undefined && !addressCovers(address, host)) continue;
      const inode = Number(f[9]);
      if (inode > 0) found.push({ protocol, address, port, inode, uid: Number(f[7]) });
    }
  }
  return readable ? found : undefined;
}

/** The processes (of those this user may inspect) holding one of the socket inodes. */
export function socketOwners(inodes: ReadonlySet<number>): PortOwner[] {
  const owners: PortOwner[] = [];
  if (inodes.size === 0) return owners;
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m || !inodes.has(Number(m[1]))) continue;
      const info = processInfo(pid);
      if (info) owners.push({ ...info, inode: Number(m[1]) });
      break;
    }
  }
  return owners;
}

/** The sockets on a port and the processes holding them; undefined without /proc/net. */
export function portOwners(protocol: SocketProtocol, port: number, host?: string): { sockets: PortSocket[]; owners: PortOwner[] } | undefined {
  const sockets = socketsOnPort(protocol, port, host);
  if (!sockets) return undefined;
  return { sockets, owners: socketOwners(new Set(sockets.map((s) => s.inode))) };
}

/** /proc/<pid>/stat (state, ppid, pgrp) and /proc/<pid>/comm; undefined when it cannot be read. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ")"
    const close = stat.lastIndexOf(")");
    const rest = stat.slice(close + 2).split(" ");
    const inParens = stat.slice(stat.indexOf("(") + 1, close);
    let name = inParens;
    try {
      name = readFileSync(`/proc/${pid}/comm`, "utf8").trimEnd();
    } catch {
      // gone meanwhile: keep the name from stat
    }
    return { pid, name, state: rest[0] ?? "?", ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** The live (not zombie) processes of process group `pgid`; undefined without /proc. */
export function processGroupMembers(pgid: number): ProcessInfo[] | undefined {
  const pids = listPids();
  if (pids.length === 0) return undefined;
  const members: ProcessInfo[] = [];
  for (const pid of pids) {
    const info = processInfo(pid);
    if (info && info.pgid === pgid && info.state !== "Z") members.push(info);
  }
  return members;
}

/** Whether `pid` is in process group `pgid` or descends from `pgid` (a child that left the group); undefined without /proc. */
export function belongsToGroup(pid: number, pgid: number): boolean | undefined {
  let info = processInfo(pid);
  if (!info) return undefined;
  for (let depth = 0; info && depth < 64; depth++) {
    if (info.pgid === pgid || info.pid === pgid) return true;
    if (info.ppid <= 1) return false;
    info = processInfo(info.ppid);
  }
  return false;
}

/** `pid 1234 "kamailio"` */
export function describeProcess(p: { pid: number; name: string }): string {
  return `pid ${p.pid} ${JSON.stringify(p.name)}`;
}

function listPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** /proc/net prints each 32-bit word of an address in the kernel's byte order. */
function decodeAddress(hex: string): string {
  const bytes = Buffer.from(hex, "hex");
  if (endianness() === "LE") for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  if (bytes.length === 4) return [...bytes].join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address
  if (groups.slice(0, 5).every((g) => g === "0") && groups[5] === "ffff") return [...bytes.subarray(12)].join(".");
  return groups.join(":");
}

/** A socket bound to `address` takes packets for `host`: the same address, or a wildcard on either side. */
function addressCovers(address: string, host: string): boolean {
  if (address === "0.0.0.0" || address === "0:0:0:0:0:0:0:0") return true;
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const family = isIP(h);
  if (family === 0) return true; // a host name: every address may be it
  if (family === 4) return h === "0.0.0.0" || address === h;
  const expanded = expandIPv6(h);
  return expanded === "0:0:0:0:0:0:0:0" || address === expanded || (address.includes(".") && h.toLowerCase().endsWith(`:${address}`));
}

/** "::1" -> "0:0:0:0:0:0:0:1" (groups without leading zeros, as decodeAddress writes them). */
function expandIPv6(a: string): string {
  let text = a.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [p, q, r, s] = v4[1].split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1].length) + `${((p << 8) | q).toString(16)}:${((r << 8) | s).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16).toString(16)).join(":");
}

/** A port the SUT will bind, and the profile field that names it. */
export interface SutPort {
  readonly protocol: SocketProtocol;
  readonly host: string;
  readonly port: number;
  readonly field: string;
}

/**
 * The ports a SUT started here binds on this host: its SIP address over UDP and TCP (`field` names
 * it in the profile) and, for a network, its WebSocket listeners (ixit.websocket, TCP).
 */
export function sutPorts(
  profile: { readonly ixit: { readonly websocket?: { readonly ws?: { host: string; port: number }; readonly wss?: { host: string; port: number } } }; readonly terminal?: unknown },
  sip: { readonly host: string; readonly port: number },
  field: string,
): SutPort[] {
  const ports: SutPort[] = [
    { protocol: "udp", host: sip.host, port: sip.port, field },
    { protocol: "tcp", host: sip.host, port: sip.port, field },
  ];
  const ws = profile.terminal ? undefined : profile.ixit.websocket;
  if (ws?.ws) ports.push({ protocol: "tcp", host: ws.ws.host, port: ws.ws.port, field: "ixit.websocket.ws.port" });
  if (ws?.wss) ports.push({ protocol: "tcp", host: ws.wss.host, port: ws.wss.port, field: "ixit.websocket.wss.port" });
  return ports;
}

/**
 * The refusal for the first of `ports` another process holds, naming it, or undefined when all are
 * free (or the bind test says nothing): a busy port would be answered by its owner, not by the SUT,
 * or make the SUT exit at start with a bind error buried in its output.
 */
export async function busyPortProblem(ports: readonly SutPort[]): Promise<string | undefined> {
  for (const p of ports) {
    if ((await portFree(p.protocol, p.host, p.port)) !== false) continue;
    return `port ${p.port} (${p.protocol.toUpperCase()}) on ${p.host} is in use by another process (${ownerText(p.protocol, p.port, p.host)}); stop it or choose another port in the profile (${p.field})`;
  }
  return undefined;
}

/** Who holds the port, for the refusal: `pid 1234 "kamailio"` (the lowest pid: the one that opened the socket) or why none is named. */
function ownerText(protocol: SocketProtocol, port: number, host: string): string {
  const held = portOwners(protocol, port, host);
  if (!held) return "its owner cannot be read here (no /proc)";
  const owners = [...held.owners].sort((a, b) => a.pid - b.pid);
  if (owners.length > 0) return describeProcess(owners[0]) + (owners.length > 1 ? ` and ${owners.length - 1} more` : "");
  const uids = [...new Set(held.sockets.map((s) => s.uid))];
  return uids.length > 0 ? `not visible to this user: it belongs to uid ${uids.join(", ")}` : "not visible here";
}
