// Input limits of a profile (issue 10, gap 4): a profile is refused, with a problem naming the field,
// before an oversize value reaches a report, a trace or a terminal. Every limit is far above what a
// real profile needs (the shipped ones are under 10 KB) and low enough that a run's output stays small.

export const PROFILE_LIMITS = {
  /** 1 MiB: 1000 subscribers of ~400 bytes each take 400 KB; checked on the file, before parsing. */
  fileBytes: 1024 * 1024,
  /** Names, host names (253, RFC 1035), URIs, identities, roles, variable names, mapping keys. */
  textChars: 1024,
  /** What is handed to the OS (command, args, cwd, image, build, env values): Linux's PATH_MAX. */
  systemTextChars: 4096,
  /** A knownDeviations reason: a paragraph explaining a defect, with a ticket reference. */
  reasonChars: 4096,
  /** ixit.subscribers: pools give each parallel worker its own subscriber per role; 1000 is 333 workers of 3 roles. */
  subscribers: 1000,
  /** A subscriber's impus: the scenarios use a default IMPU and a tel: alias; room for an implicit set. */
  impus: 100,
  /** ixit.transports: five protocols exist, each once; room to report a duplicate by name. */
  transports: 16,
  /** target.faults: one entry per fault the reference core knows, with room to spare. */
  faults: 64,
  /** target.args: a SUT's start command takes a few dozen arguments. */
  args: 256,
  /** target.env: a SUT's start needs a few dozen variables. */
  envEntries: 256,
  /** knownDeviations: one entry per test case; the catalogue holds a few dozen. */
  knownDeviations: 1000,
  /** load.pool.subscribers: one pattern per role. */
  loadPoolRoles: 100,
  /** load.thresholds: a few figures judged after a load run. */
  loadThresholds: 100,
  /** ProfileError.format(): problems shown; a 1 MiB file of errors could otherwise print 100 000 lines. */
  problemsShown: 100,
} as const;

/** How many characters of an oversize string a problem shows: enough to find it in the file. */
export const EXCERPT_CHARS = 20;

/** Bytes as a person reads them: "2097152 bytes (2.0 MiB)". */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes} bytes (${(bytes / (1024 * 1024)).toFixed(1)} MiB)` : bytes >= 1024 ? `${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB)` : `${bytes} bytes`;
}
