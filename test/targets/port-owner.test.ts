// src/targets/port-owner.ts: a bind test says a port is busy, /proc names the process holding it.
// The test process binds the sockets itself and must find its own pid.
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { after, before, describe, test } from "node:test";
import { belongsToGroup, describeProcess, portFree, portOwners, processGroupMembers, processInfo, socketsOnPort } from "../../src/targets/port-owner.ts";

const linux = process.platform === "linux" ? false : "reads Linux's /proc";

function bindUdp(host: string, port = 0): Promise<Socket> {
  return new Promise((done, fail) => {
    const s = createSocket(host.includes(":") ? "udp6" : "udp4");
    s.once("error", fail);
    s.bind(port, host, () => done(s));
  });
}

function listenTcp(host: string, port = 0): Promise<Server> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(port, host, () => done(s));
  });
}

describe("port-owner", { skip: linux }, () => {
  let udp: Socket;
  let tcp: Server;
  let udpPort: number;
  let tcpPort: number;
  const myName = readFileSync("/proc/self/comm", "utf8").trim();

  before(async () => {
    udp = await bindUdp("127.0.0.1");
    tcp = await listenTcp("127.0.0.1");
    udpPort = udp.address().port;
    tcpPort = (tcp.address() as { port: number }).port;
  });
  after(async () => {
    udp.close();
    await new Promise((done) => tcp.close(done));
  });

  test("a bound UDP port is in use, and /proc names this process as its owner", async () => {
    assert.equal(await portFree("udp", "127.0.0.1", udpPort), false);
    const held = portOwners("udp", udpPort, "127.0.0.1");
    assert.ok(held, "/proc/net/udp is readable");
    assert.equal(held.sockets.length, 1);
    assert.deepEqual({ ...held.sockets[0], inode: 0 }, { protocol: "udp", address: "127.0.0.1", port: udpPort, inode: 0, uid: process.getuid!() });
    assert.deepEqual(
      held.owners.map((o) => o.pid),
      [process.pid],
    );
    assert.equal(held.owners[0].name, myName);
    assert.equal(describeProcess(held.owners[0]), `pid ${process.pid} "${myName}"`);
  });

  test("a listening TCP port is in use, and /proc names this process as its owner", async () => {
    assert.equal(await portFree("tcp", "127.0.0.1", tcpPort), false);
    const held = portOwners("tcp", tcpPort, "127.0.0.1");
    assert.deepEqual(
      held?.owners.map((o) => o.pid),
      [process.pid],
    );
  });

  test("a TCP connection's local port is not a listener; the other protocol of a port is not counted", async () => {
    const c = connect(tcpPort, "127.0.0.1");
    await new Promise((done) => c.once("connect", done));
    try {
      assert.deepEqual(socketsOnPort("tcp", c.localPort!, "127.0.0.1"), []);
      assert.deepEqual(socketsOnPort("udp", tcpPort, "127.0.0.1"), []);
    } finally {
      c.destroy();
    }
  });

  test("a socket bound to the wildcard address holds the port for 127.0.0.1 too, one on 127.0.0.2 does not", async () => {
    const wild = await bindUdp("0.0.0.0");
    const other = await bindUdp("127.0.0.2").catch(() => undefined);
    try {
      const port = wild.address().port;
      assert.equal(await portFree("udp", "127.0.0.1", port), false);
      assert.deepEqual(
        portOwners("udp", port, "127.0.0.1")?.owners.map((o) => o.pid),
        [process.pid],
      );
      if (other) assert.deepEqual(socketsOnPort("udp", other.address().port, "127.0.0.1"), []);
    } finally {
      wild.close();
      other?.close();
    }
  });

  test("an IPv6 socket on ::1 is found for ::1", async (t) => {
    const s = await bindUdp("::1").catch(() => undefined);
    if (!s) return t.skip("no IPv6 loopback here");
    try {
      const port = s.address().port;
      assert.equal(await portFree("udp", "::1", port), false);
      assert.deepEqual(
        portOwners("udp", port, "::1")?.owners.map((o) => o.pid),
        [process.pid],
      );
      assert.equal(socketsOnPort("udp", port, "::1")?.[0]?.address, "0:0:0:0:0:0:0:1");
    } finally {
      s.close();
    }
  });

  test("a port nobody holds is free, and no socket is listed for it", async () => {
    const s = await bindUdp("127.0.0.1");
    const port = s.address().port;
    await new Promise<void>((done) => s.close(() => done()));
    assert.equal(await portFree("udp", "127.0.0.1", port), true);
    assert.deepEqual(portOwners("udp", port, "127.0.0.1"), { sockets: [], owners: [] });
  });

  test("process group: this process is in its own group's members and belongs to it", () => {
    const me = processInfo(process.pid);
    assert.ok(me);
    assert.equal(me.ppid, process.ppid);
    assert.ok(processGroupMembers(me.pgid)?.some((p) => p.pid === process.pid));
    assert.equal(belongsToGroup(process.pid, me.pgid), true);
    assert.equal(belongsToGroup(process.pid, 999_999_999), false);
    assert.equal(processInfo(999_999_999), undefined);
  });
});
