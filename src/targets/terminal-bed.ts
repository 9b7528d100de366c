// The test bed of a terminal profile: the harness's network (src/targets/harness-network.ts) runs
// for the whole run, and the UE under test is switched on for each test case and off after it
// (TS 34.229's preambles start from a UE switched off): a process or container started afresh, the
// self-test UE (the driver's ImsUe, the embedded target), or a remote device that stays as it is.
// The upper tester comes with the switched-on UE. The runner owns the bed like any target: stop()
// switches the UE off and stops the network.
import type { Profile, Subscriber } from "../profile/profile.ts";
import { ContainerTarget } from "./container-target.ts";
import { HarnessNetwork } from "./harness-network.ts";
import { ProcessTarget, type StartedProcessTarget } from "./process-target.ts";
import { SelfTestUe } from "./self-test-ue.ts";
import type { StartedTarget, SutDown } from "./target.ts";
import { formatLogLine } from "./timestamped-log.ts";
import { createUpperTester, type UpperTester } from "./upper-tester.ts";

/** The role of the UE under test in a terminal profile. */
export const UE_UNDER_TEST_ROLE = "UE-SUT";

export interface TerminalBed extends StartedTarget {
  readonly network: NonNullable<StartedTarget["network"]>;
  readonly harnessNetwork: HarnessNetwork;
  /** The UE under test's subscription (role UE-SUT). */
  readonly ueUnderTest: Subscriber;
  /** The upper tester of the UE switched on; undefined while it is off. */
  upperTester(): UpperTester | undefined;
  /** Starts the UE under test (a remote one: nothing to start); resolves once it is ready. */
  switchOn(): Promise<void>;
  /** Stops the UE under test; idempotent. */
  switchOff(): Promise<void>;
  /** Why the UE switched on for this test case is gone (its process or container exited), while it should run. */
  ueDown(): SutDown | undefined;
}

interface SwitchedOn {
  readonly upperTester: UpperTester;
  readonly logs?: (since?: number) => string;
  readonly down?: () => SutDown | undefined;
  readonly stop: () => Promise<void>;
}

export async function startTerminalBed(profile: Profile, options: { readonly projectDir?: string } = {}): Promise<TerminalBed> {
  const ue = profile.ixit.subscribers.find((s) => s.role === UE_UNDER_TEST_ROLE);
  if (!ue) throw new Error(`the profile ${profile.file} has no subscriber with role ${UE_UNDER_TEST_ROLE} (the UE under test)`);
  const network = await HarnessNetwork.start(profile, ue);
  const t = profile.target;
  const ueFaults = t.kind === "embedded" ? t.ueFaults : [];
  let on: SwitchedOn | undefined;
  /** Every UE started in this run: the log of one test case may be the previous process's. */
  const ueLogs: ((since?: number) => string)[] = [];
  const selfTestLog: { at: number; text: string }[] = [];
  const where = `${profile.ixit.transports[0]?.toUpperCase() ?? "UDP"} ${network.address.host}:${network.address.port}`;
  const what =
    t.kind === "embedded"
      ? `the self-test UE (the driver's ImsUe)${ueFaults.length ? ` with faults ${ueFaults.join(", ")}` : ""}`
      : t.kind === "remote"
        ? `a remote UE${profile.terminal?.address ? ` at ${profile.terminal.address.host}:${profile.terminal.address.port}` : ""}`
        : `a ${t.kind} UE${profile.terminal?.address ? ` at ${profile.terminal.address.host}:${profile.terminal.address.port}` : ""}`;

  /** A UE started as a process or container: its log kept for the run, stopped with its upper tester. */
  const run = (started: StartedTarget, upper: UpperTester): SwitchedOn => {
    const logs = (since?: number): string => started.logs(since);
    ueLogs.push(logs);
    return {
      upperTester: upper,
      logs,
      down: () => started.down?.(),
      stop: async () => {
        await upper.close();
        await started.stop();
      },
    };
  };

  const switchOn = async (): Promise<SwitchedOn> => {
    const config = profile.terminal?.upperTester;
    switch (t.kind) {
      case "embedded": {
        const self = await SelfTestUe.start({
          subscriber: ue,
          domain: profile.ixit.domain,
          pcscf: network.address,
          protocol: profile.ixit.transports[0] ?? "udp",
          localHost: profile.ixit.localHost,
          timers: profile.ixit.timers,
          faults: ueFaults,
          log: (text) => selfTestLog.push({ at: Date.now(), text }),
        });
        return { upperTester: self, stop: () => self.close() };
      }
      case "process":
      case "container": {
        if (!config) throw new Error(`a ${t.kind} UE under test needs terminal.upperTester`);
        const started: StartedProcessTarget | StartedTarget =
          t.kind === "process" ? await new ProcessTarget(profile).start() : await new ContainerTarget(profile, options.projectDir ? { projectDir: options.projectDir } : {}).start();
        return run(started, createUpperTester(config, "write" in started && started.write ? { write: started.write } : {}));
      }
      case "remote": {
        if (!config) throw new Error("a remote UE under test needs terminal.upperTester");
        const upper = createUpperTester(config);
        return { upperTester: upper, stop: () => upper.close() };
      }
    }
  };

  const switchOff = async (): Promise<void> => {
    const was = on;
    on = undefined;
    await was?.stop();
  };

  return {
    description: `${what}, against the harness's network at ${where}`,
    pcscf: network.address,
    pcscfUri: network.core.pcscfUri,
    harnessNetwork: network,
    ueUnderTest: ue,
    network: {
      deregister: (impu, event) => network.core.deregister(impu, event),
      requireReauthentication: (impu) => Promise.resolve(network.core.requireReauthentication(impu)),
    },
    upperTester: () => on?.upperTester,
    switchOn: async () => {
      await switchOff();
      on = await switchOn();
    },
    switchOff,
    // The network's log and the UE's output, merged in time order, each line saying whose it is
    logs: (since) => {
      const lines = [
        ...network.core.logEntries(since).map((l) => formatLogLine({ at: l.at, text: `network: ${l.text}` })),
        ...selfTestLog.filter((l) => since === undefined || l.at >= since).map((l) => formatLogLine({ at: l.at, text: `UE: ${l.text}` })),
        ...ueLogs
          .map((l) => l(since))
          .join("\n")
          .split("\n")
          .filter((l) => l)
          .map((l) => l.replace(/^(\S+Z) /, "$1 UE: ")),
      ];
      return lines.sort().join("\n");
    },
    // Not `down`: a UE that exits ends its own test case (the next one switches on a new one), not the run
    ueDown: () => on?.down?.(),
    stop: async () => {
      try {
        await switchOff();
      } finally {
        await network.stop();
      }
    },
  };
}
