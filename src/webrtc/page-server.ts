// The browser UE's page: client.ts and sip.js bundled for the browser by esbuild at run time (into
// memory, once per process), served with a minimal HTML page by a plain HTTP server on 127.0.0.1.
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";

const ENTRY = join(import.meta.dirname, "page", "client.ts");

let bundled: Promise<string> | undefined;

/** client.ts with sip.js as one browser script (an IIFE), built on first use and kept for the process. */
export function pageBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "chrome110",
    legalComments: "none",
    logLevel: "silent",
  }).then(
    (result) => {
      const out = result.outputFiles[0];
      if (!out) throw new Error(`esbuild wrote nothing for ${ENTRY}`);
      return out.text;
    },
    (error: unknown) => {
      bundled = undefined;
      throw error;
    },
  );
  return bundled;
}

const HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>ims-interop browser UE</title></head>
<body>
<h1>ims-interop browser UE (sip.js)</h1>
<script src="/client.js"></script>
</body>
</html>
`;

export interface PageServer {
  /** http://127.0.0.1:port/ */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the page ("/") and the bundle ("/client.js") on 127.0.0.1, a random port. */
export async function servePage(): Promise<PageServer> {
  const script = await pageBundle();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/" || path === "/index.html") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      response.end(HTML);
    } else if (path === "/client.js") {
      response.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" });
      response.end(script);
    } else if (path === "/favicon.ico") {
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404, { "Content-Type": "text/plain" });
      response.end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
