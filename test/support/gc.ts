// A full garbage collection for tests that prove something is let go (WeakRef): V8's gc, exposed
// for this process without a command-line flag.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Lets a turn pass (a WeakRef made in this turn keeps its target), collects, and says whether `ref`'s target is gone. */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  await new Promise((done) => setImmediate(done));
  gc();
  return ref.deref() === undefined;
}
