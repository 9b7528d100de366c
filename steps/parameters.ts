// Parameter types of the suite's Gherkin: roles of simulated UEs.
import { defineParameterType } from "@cucumber/cucumber";

defineParameterType({ name: "role", regexp: /UE-[A-Z]\d?|the UE/, transformer: (s: string) => s });
