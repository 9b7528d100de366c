// Cucumber configuration for the conformance suite. `ims-interop run` passes the profile, the
// selection and the SUT through world parameters; this file names where the suite lives.
// Run directly: NODE_OPTIONS=--import=tsx npx cucumber-js (uses profiles/embedded.yaml).
export default {
  paths: ["features/**/*.feature"],
  import: ["steps/**/*.ts"],
  worldParameters: { profileFile: "profiles/embedded.yaml", faults: [], sut: { kind: "embedded" } },
};
