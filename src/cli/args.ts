// A small argument reader for the ims-interop command: --name value, --name=value, flags, positionals.

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string[]>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseArgs(argv: readonly string[], known: Record<string, "value" | "flag">): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = known[name];
    if (!kind)
      throw new UsageError(
        `unknown option --${name}; expected one of ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(", ")}`,
      );
    let value = "true";
    if (kind === "value") {
      value = eq >= 0 ? a.slice(eq + 1) : (argv[++i] ?? "");
      if (value === "" || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positionals, options };
}

export function single(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.at(-1);
}
