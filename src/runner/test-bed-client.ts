// A worker's side of the runner's test-bed service (./test-bed-service.ts).
import type { NetworkTriggers } from "../targets/index.ts";
import type { SutParameters } from "./suite-parameters.ts";

export interface TestBedClient {
  /**
   * What the SUT logged since `since` (ms since the epoch; its whole log, newest part, without it),
   * one timestamped line each ("" when it logs nothing the harness sees).
   */
  logs(since?: number): Promise<string>;
  /** Absent when the SUT offers no network-side trigger. */
  readonly network?: NetworkTriggers;
}

export function testBedClient(sut: SutParameters): TestBedClient {
  const { url, token, network } = sut.testBed;
  const call = async (method: "GET" | "POST", path: string, body?: object): Promise<string> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`the runner's test-bed service refused ${method} ${path}: ${res.status} ${text}`);
    return text;
  };
  return {
    logs: (since) => call("GET", since === undefined ? "/log" : `/log?since=${Math.floor(since)}`),
    ...(network
      ? {
          network: {
            deregister: async (impu, event) => void (await call("POST", "/network/deregister", { impu, event })),
            requireReauthentication: async (impu) => void (await call("POST", "/network/reauthenticate", { impu })),
          },
        }
      : {}),
  };
}
