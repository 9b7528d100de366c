// Whether a port of 127.0.0.1 is free again for UDP and TCP: what a stopped SUT must leave behind.
import { portFree } from "../../src/targets/port-owner.ts";

export async function freeForUdpAndTcp(port: number, host = "127.0.0.1"): Promise<boolean> {
  return (await portFree("udp", host, port)) !== false && (await portFree("tcp", host, port)) !== false;
}
