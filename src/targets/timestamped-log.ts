// What a SUT printed, line by line, each line with the time it reached the harness (ms since the
// epoch): the evidence of one test case is the slice since that test case started (`since`).
// Output arrives in chunks that split lines (and UTF-8 characters) anywhere; a partial line is kept,
// per stream (stdout and stderr do not mix within a line), until its end arrives, and is stamped
// with the arrival of its first part. Bounded: the oldest lines go first.
import { StringDecoder } from "node:string_decoder";

export interface LogLine {
  /** When the (first part of the) line reached the harness, ms since the epoch. */
  readonly at: number;
  readonly text: string;
}

/** "2026-06-12T21:44:59.123Z text": one line of a log as attached to a test case. */
export function formatLogLine(line: LogLine): string {
  return `${new Date(line.at).toISOString()} ${line.text}`;
}

export class TimestampedLog {
  private readonly lines: LogLine[] = [];
  private chars = 0;
  /** Per stream: the unfinished line and the decoder of its bytes. */
  private readonly streams = new Map<string, { decoder: StringDecoder; partial?: { at: number; text: string } }>();

  constructor(
    /** At most this many characters of text are kept (the newest). */
    private readonly limit = 256 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  /** A chunk of output as it arrived on `stream` (any number of lines, the last one possibly unfinished). */
  append(chunk: string | Buffer, stream = "out"): void {
    const at = this.now();
    let st = this.streams.get(stream);
    if (!st) this.streams.set(stream, (st = { decoder: new StringDecoder("utf8") }));
    const parts = (typeof chunk === "string" ? chunk : st.decoder.write(chunk)).split("\n");
    const last = parts.pop()!;
    for (const part of parts) {
      const first = st.partial;
      delete st.partial;
      this.push({ at: first?.at ?? at, text: ((first?.text ?? "") + part).replace(/\r$/, "") });
    }
    if (last !== "") st.partial = { at: st.partial?.at ?? at, text: (st.partial?.text ?? "") + last };
  }

  /** One whole line (the embedded core logs line by line). */
  line(text: string, at = this.now()): void {
    this.push({ at, text });
  }

  /** The lines that arrived at or after `since` (all without it), the unfinished ones included. */
  entries(since?: number): LogLine[] {
    const partial = [...this.streams.values()].flatMap((st) => (st.partial ? [st.partial] : [])).sort((a, b) => a.at - b.at);
    const all = [...this.lines, ...partial];
    return since === undefined ? all : all.filter((l) => l.at >= since);
  }

  /** The lines since `since`, each with its time: "2026-06-12T21:44:59.123Z text\n...". */
  text(since?: number): string {
    return this.entries(since).map(formatLogLine).join("\n");
  }

  private push(line: LogLine): void {
    this.lines.push(line);
    this.chars += line.text.length;
    while (this.chars > this.limit && this.lines.length > 1) this.chars -= this.lines.shift()!.text.length;
  }
}
