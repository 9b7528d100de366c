// The `ims-interop` command.
import { argv, exit, stdout } from "node:process";

const HELP = `ims-interop: conformance and interoperability test harness for IMS networks and terminals

Usage:
  ims-interop help             this text
  ims-interop version          the harness version

More commands (run, list, validate, report) arrive with the conformance suite.
`;

async function main(args: string[]): Promise<number> {
  const [command] = args;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      stdout.write(HELP);
      return 0;
    case "version":
    case "--version": {
      const { readFile } = await import("node:fs/promises");
      const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
      stdout.write(`ims-interop ${pkg.version}\n`);
      return 0;
    }
    default:
      process.stderr.write(`ims-interop: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

exit(await main(argv.slice(2)));
