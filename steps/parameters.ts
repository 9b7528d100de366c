// Parameter types of the suite's Gherkin: roles of simulated UEs, and the UE under test of a
// terminal profile ("the UE under test", the subscriber with role UE-SUT), which is never simulated.
import { defineParameterType } from "@cucumber/cucumber";
import { UE_UNDER_TEST_ROLE } from "../src/targets/terminal-bed.ts";

defineParameterType({ name: "role", regexp: /UE-[A-Z]\d?|the UE under test|the UE/, transformer: (s: string) => (s === "the UE under test" ? UE_UNDER_TEST_ROLE : s) });
