// Steps of IMS-ROB-001 (features/robustness/torture.feature): the 49 torture messages of RFC 4475 sent
// to the network one by one as raw octets, each judged by the table of src/conformance/torture.ts and
// reported as an Allure step of its own named with its verdict.
import { Then, When } from "@cucumber/cucumber";
import type { RuntimeMessage } from "allure-js-commons/sdk";
import { ALLURE_RUNTIME_MESSAGE_CONTENT_TYPE } from "allure-js-commons/sdk/reporter";
import { MessageTestRuntime } from "allure-js-commons/sdk/runtime";
import { type TortureOutcome, type TortureRun, TORTURE_MESSAGES, probeWaitMs, runTorture, tortureLabel, tortureWaitMs } from "../src/conformance/torture.ts";
import { SipEndpoint } from "../src/sip/endpoint/index.ts";
import { createTransport } from "../src/sip/transport/transport-factory.ts";
import { ExpectationError } from "../src/sip/failure.ts";
import { fail } from "./support/expect.ts";
import type { ImsWorld } from "./support/world.ts";

/** Allure's runtime messages as attachments of the running Cucumber step: allure-cucumberjs/reporter makes them nested steps. */
class StepRuntime extends MessageTestRuntime {
  constructor(private readonly world: ImsWorld) {
    super();
  }

  async sendMessage(message: RuntimeMessage): Promise<void> {
    this.world.attach(JSON.stringify(message), ALLURE_RUNTIME_MESSAGE_CONTENT_TYPE);
    await Promise.resolve();
  }
}

/** Each scenario's run, between its When and its Then. */
const runs = new WeakMap<ImsWorld, TortureRun>();

When("the torture messages of RFC 4475 are sent to the network one by one", async function (this: ImsWorld) {
  const t1 = this.profile.ixit.timers.t1;
  const messages = TORTURE_MESSAGES;
  this.widenBudget(
    messages.reduce((sum, m) => sum + tortureWaitMs(m, t1) + probeWaitMs(t1), 0),
    `the ${messages.length} messages' waits and OPTIONS probes`,
  );
  const ueB = await this.registered("UE-B");
  const userB = /^sips?:([^@;>]+)@/i.exec(ueB.impu)?.[1] ?? "";
  const pcscf = this.suite.sut.pcscf;
  // Senders of their own: the SUT's answers to malformed requests are judged by the table, not by the
  // requirements catalogue a UE's messages go through
  const localHost = this.profile.ixit.localHost;
  const endpoint = await SipEndpoint.start({ listen: [{ protocol: "udp", host: localHost }], trace: this.trace, timers: this.profile.ixit.timers });
  const runtime = new StepRuntime(this);
  try {
    const run = await runTorture({
      endpoint,
      sender: () => createTransport({ protocol: "udp", host: localHost, port: 0, trace: this.trace }),
      sut: { protocol: "udp", host: pcscf.host, port: pcscf.port },
      addressing: { domain: this.profile.ixit.domain, userB },
      t1,
      messages,
      around: (m, exchange) => reported(runtime, tortureLabel(m), exchange),
      afterEach: () => {
        // A message the SUT delivered to UE-B is answered: a call rejected (486), so that none is left
        for (let call = ueB.incomingCalls.take(() => true); call; call = ueB.incomingCalls.take(() => true)) call.reject(486);
        while (ueB.messages.take(() => true));
        return Promise.resolve();
      },
    });
    runs.set(this, run);
    const silent = run.silentAfter;
    if (silent) {
      fail(
        `the network answers OPTIONS after ${tortureLabel(silent.message)}`,
        `the SUT stopped answering after RFC 4475 ${silent.message.section} ${silent.message.name}: ${silent.detail}`,
        "RFC 4475 3 (an element receiving these messages must not break); RFC 3261 11 (OPTIONS)",
      );
    }
  } finally {
    await endpoint.close();
  }
});

/** One Allure step per message, named with its verdict ("RFC 4475 3.1.2.1 badinv01 (...): fail, 200 OK: ..."), failed when it fails. */
async function reported(runtime: StepRuntime, label: string, exchange: () => Promise<TortureOutcome>): Promise<TortureOutcome> {
  let outcome: TortureOutcome | undefined;
  await runtime
    .step(label, async () => {
      outcome = await exchange();
      const v = outcome.verdict;
      await runtime.stepDisplayName(`${label}: ${v.verdict}, ${v.summary}`);
      if (v.verdict === "fail") throw new ExpectationError({ expected: v.expected, received: [v.received], clause: v.clause });
    })
    .catch((e: unknown) => {
      if (!(e instanceof ExpectationError)) throw e;
      // a failed message is judged by the Then step with the others; the Allure step shows it failed
    });
  if (!outcome) throw new Error(`${label}: no outcome`);
  return outcome;
}

Then("each torture message is answered as RFC 4475 expects", function (this: ImsWorld) {
  const run = runs.get(this);
  if (!run) throw new Error("no torture messages were sent in this scenario");
  const failed = run.outcomes.filter((o) => o.verdict.verdict === "fail");
  if (failed.length === 0) return;
  throw new ExpectationError({
    expected: `each of the ${run.outcomes.length} RFC 4475 messages treated as RFC 4475 says (${failed.length} not)`,
    received: failed.map((o) => `${tortureLabel(o.message)}: expected ${o.verdict.expected}; received ${o.verdict.summary}`),
    clause: failed.map((o) => `RFC 4475 ${o.message.section}`).join(", "),
  });
});

Then("the network answered OPTIONS after each torture message", function (this: ImsWorld) {
  const run = runs.get(this);
  if (!run) throw new Error("no torture messages were sent in this scenario");
  if (run.outcomes.length !== TORTURE_MESSAGES.length) fail(`OPTIONS answered after each of the ${TORTURE_MESSAGES.length} messages`, `the run ended after ${run.outcomes.length}`);
});
