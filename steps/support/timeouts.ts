// Every wait in a step has its own deadline (64*T1 of the profile, or less); Cucumber's step
// timeout is only the last safety net, set well above them so that our deadline names the budget.
import { setDefaultTimeout } from "@cucumber/cucumber";

setDefaultTimeout(5 * 60 * 1000);
